;; The shape of a Kubewarden policy built with TinyGo: waPC imports, WASI
;; imports, __guest_call, and _start as well (which must not make it look
;; like a plain WASI command).
(module
  (import "wapc" "__guest_request" (func (param i32 i32)))
  (import "wapc" "__guest_response" (func (param i32 i32)))
  (import "wapc" "__guest_error" (func (param i32 i32)))
  (import "wapc" "__host_call"
    (func (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__console_log" (func (param i32 i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "__guest_call") (param i32 i32) (result i32) (i32.const 1))
  (func (export "_start"))
  (func (export "wapc_init")))
