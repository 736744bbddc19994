;; Calls proc_exit(7): the call ends with status 7 and the host goes on.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $proc_exit (i32.const 7))
    unreachable))
