;; A WASI reactor: initialised by _initialize, then called through its exports.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_initialize"))
  (func (export "handle") (param i32) (result i32) (local.get 0)))
