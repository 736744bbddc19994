;; An old module using wasi_unstable's (snapshot 0) layouts: fd_seek's whence
;; 2 is SET there (END in preview 1), and filestat's size is at offset 24
;; (32 in preview 1). Opens "digits.txt" in the first preopen.
(module
  (import "wasi_unstable" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "digits.txt")
  ;; Opens digits.txt with FD_READ | FD_SEEK | FD_FILESTAT_GET; returns the fd.
  (func $open (result i32)
    (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 10) (i32.const 0)
      (i64.const 0x200006) (i64.const 0) (i32.const 0) (i32.const 100)))
    (i32.load (i32.const 100)))
  ;; fd_seek(fd, 3, whence 2) and the new offset: 3 if 2 means SET.
  (func (export "seek_whence_2") (result i64)
    (drop (call $fd_seek (call $open) (i64.const 3) (i32.const 2) (i32.const 200)))
    (i64.load (i32.const 200)))
  ;; The size field of the snapshot-0 filestat.
  (func (export "size_at_24") (result i64)
    (drop (call $fd_filestat_get (call $open) (i32.const 300)))
    (i64.load (i32.const 324)))
  (func (export "_start")))
