;; Hostile: memory.grow in a loop until something gives.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $more
      (drop (memory.grow (i32.const 1)))
      (br $more))))
