;; Imports a WASI function that does not exist: refused at link time, by name.
(module
  (import "wasi_snapshot_preview1" "not_a_function" (func $nope (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $nope (i32.const 0)))))
