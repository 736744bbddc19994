;; Hostile: the module's own start function never returns; instantiation
;; itself must be stopped by the deadline.
(module
  (memory (export "memory") 1)
  (func $start (loop $forever (br $forever)))
  (start $start)
  (func (export "_start")))
