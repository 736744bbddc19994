;; wapc_no_guest_call.wat — imports from "wapc" but exports no __guest_call.
(module
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "validate"))
)
