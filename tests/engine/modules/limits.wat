;; Hostile behaviours that limits must contain.
(module
  (memory 1 100)
  (func (export "spin")             ;; an infinite loop without calls
    (loop $l (br $l)))
  (func $recurse (export "recurse") (param i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "grow_forever") (result i32)   ;; memory.grow in a loop, ignoring failure
    (loop $l
      (drop (memory.grow (i32.const 1)))
      (br $l))
    (i32.const 0))
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  ;; count down from n: n loop iterations, for fuel accounting
  (func (export "countdown") (param i32) (result i32)
    (loop $l
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get 0) (i32.const 0))))
    (local.get 0))
  (func $leaf (result i32) (i32.const 1))
  (func (export "calls") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (call $leaf)))
      (br_if $l (i32.lt_s (local.get 1) (local.get 0))))
    (local.get 1))
  ;; fuel per basic block: the early exit pays only for what it executed
  (func (export "early") (param i32) (result i32)
    (if (local.get 0) (then (return (i32.const 7))))
    (i32.add (i32.mul (local.get 0) (i32.const 3)) (i32.const 5)))
  (func (export "fill") (param i32 i32)        ;; memory.fill of n bytes at 0
    (memory.fill (i32.const 0) (local.get 0) (local.get 1)))
)
