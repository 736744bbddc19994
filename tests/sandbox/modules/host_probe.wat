;; Calls a host function of the test ("test" "probe") so the test can look
;; at the sandbox context from inside a host call; also a function with
;; parameters for the arity checks.
(module
  (import "test" "probe" (func $probe (result i32)))
  (memory (export "memory") 1)
  (func (export "probe") (result i32) (call $probe))
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1))))
