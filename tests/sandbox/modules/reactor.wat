;; Not a command: no _start. `wasmgate exec` must refuse it.
(module
  (memory (export "memory") 1)
  (func (export "_initialize")))
