;; wapc_unknown_import.wat — imports a "wapc" function the protocol does not have.
(module
  (import "wapc" "__guest_teleport" (func $teleport))
  (memory (export "memory") 1)
  (func (export "__guest_call") (param i32 i32) (result i32) (i32.const 1))
)
