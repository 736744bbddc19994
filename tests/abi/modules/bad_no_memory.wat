;; bad_no_memory.wat — exports `validate` but no memory: WASI could not reach the module.
(module
  (func (export "validate"))
)
