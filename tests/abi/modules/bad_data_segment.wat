;; bad_data_segment.wat — a data segment past the end of memory: instantiation would trap,
;; so the load is refused.
(module
  (memory (export "memory") 1)
  (data (i32.const 65535) "xy")
  (func (export "validate"))
)
