;; The shape of a k8s-wasm module: WASI imports only, and nullary exports
;; named after the review kinds it handles.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "authn"))
  (func (export "authz"))
  (func (export "validate")))
