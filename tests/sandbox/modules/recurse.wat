;; Hostile: unbounded recursion. The call depth limit stops it.
(module
  (memory (export "memory") 1)
  (func $down (export "_start")
    (call $down)))
