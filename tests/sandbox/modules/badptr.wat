;; Hostile: hands WASI pointers and lengths outside its memory. Each export
;; returns the errno: EFAULT (21), never a host crash.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get"
    (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; iovec at 0: buf 65530, len 100 (runs past the end of the 64 KiB memory)
  (data (i32.const 0) "\fa\ff\00\00\64\00\00\00")
  (func (export "write_past_end") (result i32)
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
  (func (export "iovecs_past_end") (result i32)
    (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 2) (i32.const 16)))
  (func (export "read_past_end") (result i32)
    (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
  (func (export "random_past_end") (result i32)
    (call $random_get (i32.const 65000) (i32.const 1000)))
  (func (export "result_past_end") (result i32)
    (call $args_sizes_get (i32.const 65535) (i32.const 0)))
  (func (export "path_past_end") (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 65530) (i32.const 4096)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 16)))
  (func (export "huge_length") (result i32)
    (call $random_get (i32.const 16) (i32.const -1))))
