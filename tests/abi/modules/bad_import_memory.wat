;; bad_import_memory.wat — imports its memory: no ABI provides one, so the load is refused.
(module
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))
  (func (export "validate"))
)
