;; bad_unknown_import.wat — imports a function no ABI provides: refused at load, by name.
(module
  (import "env" "foo" (func $foo))
  (memory (export "memory") 1)
  (func (export "validate") (call $foo))
)
