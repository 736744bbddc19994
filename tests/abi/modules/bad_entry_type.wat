;; bad_entry_type.wat — exports `validate` with a parameter: entry points are () -> ().
(module
  (memory (export "memory") 1)
  (func (export "validate") (param i32))
)
