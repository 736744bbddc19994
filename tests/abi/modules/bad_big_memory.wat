;; bad_big_memory.wat — declares 300 pages, over the default limit of 256: refused at load.
(module
  (memory (export "memory") 300)
  (func (export "validate"))
)
