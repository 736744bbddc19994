;; One import and export of each kind, and an export named "validate" that
;; must not make it a k8s-wasm module, since it imports from "env".
(module
  (import "env" "memory" (memory 1 2))
  (import "env" "table" (table 10 funcref))
  (import "env" "counter" (global (mut i64)))
  (import "env" "limit" (global i32))
  (global (export "answer") f64 (f64.const 42))
  (table (export "functions") 1 1 funcref)
  (func (export "validate")))
