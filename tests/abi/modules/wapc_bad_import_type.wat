;; wapc_bad_import_type.wat — imports __guest_request with one parameter instead of two:
;; refused at load, naming the import and both types.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32)))
  (memory (export "memory") 1)
  (func (export "__guest_call") (param i32 i32) (result i32) (i32.const 1))
)
