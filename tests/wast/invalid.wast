;; invalid.wast -- well-formed modules that must fail validation.
;;
;; Covers (assert_invalid with the reference interpreter's messages):
;; type mismatches for numeric, conversion, comparison, parametric, variable,
;; memory, table, reference, block, branch, call and return instructions;
;; unknown local, global, function, table, memory, type, label, data segment
;; and element segment indices; multiple memories; global.set of an immutable
;; global; start functions with parameters or results; duplicate export
;; names; constant expressions that are not constant or are ill-typed
;; (globals, element and data offsets, element items), including global.get of
;; mutable or non-imported globals; ref.func of an undeclared function;
;; untyped select on reference types and typed select with two results;
;; br_table targets of different arity or type; memory and table limits; memory
;; instructions without a memory; alignment larger than natural; if without
;; else whose type is not [t*] -> [t*]; element segment / table type
;; mismatches; and the typing of unreachable code (stack polymorphism), both
;; the modules that are valid and those that are still invalid.
;;
;; Original test written for wasmgate; see README.md.

;; ---------------------------------------------------------------------------
;; Numeric instructions
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (result f32) (f64.const 0))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.add (i32.const 0) (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i64) (i64.sub (i32.const 0) (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result f32) (f32.mul (f32.const 0) (f64.const 0)))) "type mismatch")
(assert_invalid (module (func (result f64) (f64.div (i64.const 0) (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.shl (i32.const 1) (i64.const 1)))) "type mismatch")
(assert_invalid (module (func (result i64) (i64.rotl (i64.const 1) (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.add (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.add))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.eqz (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i64.eqz (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.clz (f32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i64) (i64.popcnt (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.extend8_s (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i64) (i64.extend32_s (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result f32) (f32.neg (f64.const 0)))) "type mismatch")
(assert_invalid (module (func (result f64) (f64.sqrt (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result f32) (f32.copysign (f32.const 0) (f64.const 0)))) "type mismatch")
;; comparisons produce i32
(assert_invalid (module (func (result i64) (i64.eq (i64.const 0) (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (f32.eq (f64.const 0) (f32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.lt_s (i32.const 0) (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result f64) (f64.ge (f64.const 0) (f64.const 0)))) "type mismatch")
;; conversions
(assert_invalid (module (func (result i32) (i32.wrap_i64 (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i64) (i64.extend_i32_s (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i64) (i64.extend_i32_u (f32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.trunc_f32_s (f64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i64) (i64.trunc_f64_u (f32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.trunc_sat_f64_s (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result f32) (f32.convert_i64_u (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result f64) (f64.convert_i32_s (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result f32) (f32.demote_f64 (f32.const 0)))) "type mismatch")
(assert_invalid (module (func (result f64) (f64.promote_f32 (f64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.reinterpret_f32 (f64.const 0)))) "type mismatch")
(assert_invalid (module (func (result f64) (f64.reinterpret_i64 (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i64) (i32.reinterpret_f32 (f32.const 0)))) "type mismatch")

;; ---------------------------------------------------------------------------
;; Function results and parametric instructions
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_invalid (module (func (i32.const 1))) "type mismatch")
(assert_invalid (module (func (result i32 i32) (i32.const 1))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.const 1) (i32.const 2))) "type mismatch")
(assert_invalid (module (func (result i32 i64) (i64.const 1) (i32.const 2))) "type mismatch")
(assert_invalid (module (func (drop))) "type mismatch")
(assert_invalid (module (func (result i32) (drop (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (nop) (i64.const 1))) "type mismatch")
(assert_invalid (module (func (result i32) (select (i32.const 1) (i64.const 1) (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (select (i32.const 1) (i32.const 1) (i64.const 1)))) "type mismatch")
(assert_invalid (module (func (result f32) (select (f32.const 1) (f32.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (select (result i32) (i64.const 1) (i64.const 1) (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (select (result i64) (i32.const 1) (i32.const 1) (i32.const 1)))) "type mismatch")
;; an untyped select is only for numeric (and vector) operands
(assert_invalid
  (module (func (result externref) (select (ref.null extern) (ref.null extern) (i32.const 1))))
  "type mismatch")
(assert_invalid
  (module (func (result funcref) (select (ref.null func) (ref.null func) (i32.const 1))))
  "type mismatch")
(assert_invalid
  (module (func (param externref externref) (result externref) (select (local.get 0) (local.get 1) (i32.const 0))))
  "type mismatch")
;; a typed select must name exactly one type (binary form: 0x1c with 2 types)
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\06\01\60\00\02\7f\7f"                      ;; type [] -> [i32 i32]
    "\03\02\01\00"                                   ;; one function
    "\0a\12\01\10\00\41\01\41\02\41\03\41\04\41\00\1c\02\7f\7f\0b" ;; select (result i32 i32)
  )
  "invalid result arity")
;; NOTE: wabt 1.0.32 accepts this module.
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\05\01\60\00\01\7f"                          ;; type [] -> [i32]
    "\03\02\01\00"                                   ;; one function
    "\0a\0c\01\0a\00\41\01\41\02\41\00\1c\00\0b"     ;; select (result) with no type
  )
  "invalid result arity")

;; ---------------------------------------------------------------------------
;; Variables
(assert_invalid (module (func (local i32) (local.set 0 (f32.const 0)))) "type mismatch")
(assert_invalid (module (func (param i64) (local.set 0 (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (local i64) (local.get 0))) "type mismatch")
(assert_invalid (module (func (result f64) (local f32) (local.tee 0 (f32.const 0)))) "type mismatch")
(assert_invalid (module (func (local f32) (drop (local.tee 0 (f64.const 0))))) "type mismatch")
(assert_invalid (module (func (local externref) (local.set 0 (ref.null func)))) "type mismatch")
(assert_invalid (module (global (mut i32) (i32.const 0)) (func (global.set 0 (i64.const 0)))) "type mismatch")
(assert_invalid (module (global (mut f32) (f32.const 0)) (func (result f64) (global.get 0))) "type mismatch")
(assert_invalid (module (func (local.get 0))) "unknown local")
(assert_invalid (module (func (param i32) (result i32) (local.get 1))) "unknown local")
(assert_invalid (module (func (param i32) (local i64) (local.set 2 (i64.const 0)))) "unknown local")
(assert_invalid (module (func (local i32) (drop (local.tee 1 (i32.const 0))))) "unknown local")
(assert_invalid (module (func (result i32) (global.get 0))) "unknown global")
(assert_invalid (module (global i32 (i32.const 0)) (func (result i32) (global.get 1))) "unknown global")
(assert_invalid (module (func (global.set 0 (i32.const 0)))) "unknown global")
(assert_invalid
  (module (import "spectest" "global_i32" (global i32)) (func (global.set 1 (i32.const 0))))
  "unknown global")
;; immutable globals
(assert_invalid (module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1)))) "global is immutable")
(assert_invalid
  (module (import "spectest" "global_i32" (global i32)) (func (global.set 0 (i32.const 1))))
  "global is immutable")
(assert_invalid
  (module (global (mut i32) (i32.const 0)) (global f64 (f64.const 0)) (func (global.set 1 (f64.const 1))))
  "global is immutable")

;; ---------------------------------------------------------------------------
;; Blocks, branches, return
(assert_invalid (module (func (result i32) (block (result i32) (i64.const 1)))) "type mismatch")
(assert_invalid (module (func (block (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (block (result i32)))) "type mismatch")
(assert_invalid (module (func (result i32) (block (nop)))) "type mismatch")
(assert_invalid (module (func (block (param i32) (drop)))) "type mismatch")
(assert_invalid (module (func (i64.const 1) (block (param i32) (drop)))) "type mismatch")
(assert_invalid (module (func (result i32) (loop (result i32) (f32.const 1)))) "type mismatch")
(assert_invalid (module (func (loop (param i32) (drop)))) "type mismatch")
(assert_invalid (module (func (result i32 i32) (block (result i32 i32) (i32.const 1)))) "type mismatch")
;; a block cannot see values outside it
(assert_invalid (module (func (result i32) (i32.const 1) (block (result i32) (i32.add (i32.const 2))))) "type mismatch")
(assert_invalid (module (func (if (i64.const 1) (then)))) "type mismatch")
(assert_invalid (module (func (if (then)))) "type mismatch")
(assert_invalid
  (module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1)) (else (i64.const 1)))))
  "type mismatch")
(assert_invalid
  (module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1)) (else))))
  "type mismatch")
(assert_invalid
  (module (func (if (i32.const 1) (then (i32.const 1)) (else (i32.const 1)))))
  "type mismatch")
;; if without else: the missing branch must have type [t*] -> [t*]
(assert_invalid
  (module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1)))))
  "type mismatch")
(assert_invalid
  (module (func (param i64) (result i32)
    (local.get 0) (i32.const 1)
    (if (param i64) (result i32) (then (drop) (i32.const 1)))))
  "type mismatch")
(assert_invalid
  (module (func (param i32) (result i32 i32)
    (local.get 0) (i32.const 1)
    (if (param i32) (result i32 i32) (then (i32.const 1)))))
  "type mismatch")
;; branches
(assert_invalid (module (func (result i32) (block (result i32) (br 0 (i64.const 1))))) "type mismatch")
(assert_invalid (module (func (result i32) (block (result i32) (br 0)))) "type mismatch")
(assert_invalid (module (func (block (result i32) (br 0 (i32.const 1))))) "type mismatch")
(assert_invalid (module (func (result i32) (block (result i32) (br_if 0 (i64.const 1) (i32.const 1))))) "type mismatch")
(assert_invalid (module (func (block (br_if 0 (i64.const 1))))) "type mismatch")
(assert_invalid (module (func (block (br_if 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (block (result i32) (br_if 0 (i32.const 1))))) "type mismatch")
;; the value left by an untaken br_if has the label's type
(assert_invalid
  (module (func (result i64) (block (result i32) (br_if 0 (i32.const 1) (i32.const 1))) (drop) (i32.const 0)))
  "type mismatch")
(assert_invalid (module (func (block (br_table 0 (i64.const 0))))) "type mismatch")
(assert_invalid (module (func (block (br_table 0)))) "type mismatch")
;; br_table targets must agree on arity and types
(assert_invalid
  (module (func (result i32)
    (block $outer (result i32)
      (block $inner (br_table $inner $outer (i32.const 1) (i32.const 0)))
      (i32.const 2))))
  "type mismatch")
(assert_invalid
  (module (func (result i32)
    (block $outer (result i32)
      (block $inner (br_table $outer $inner (i32.const 1) (i32.const 0)))
      (i32.const 2))))
  "type mismatch")
(assert_invalid
  (module (func
    (block $a (result i32)
      (drop (block $b (result i64)
        (br_table $a $b (i32.const 1) (i32.const 0))))
      (i32.const 0))
    (drop)))
  "type mismatch")
(assert_invalid
  (module (func (result i32)
    (block $a (result i32 i32)
      (block $b (result i32) (br_table $a $b (i32.const 1) (i32.const 2) (i32.const 0))) (i32.const 0))
    (drop)))
  "type mismatch")
(assert_invalid (module (func (result i32) (block (result i32) (br_table 0 0 (i64.const 1) (i32.const 0))))) "type mismatch")
(assert_invalid (module (func (result i32) (return (i64.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (return))) "type mismatch")
(assert_invalid (module (func (result i32 i64) (return (i64.const 1) (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (block (return (f32.const 1))) (i32.const 0))) "type mismatch")
;; labels
(assert_invalid (module (func (br 1))) "unknown label")
(assert_invalid (module (func (block (br 2)))) "unknown label")
(assert_invalid (module (func (block (br_if 2 (i32.const 1))))) "unknown label")
(assert_invalid (module (func (block (br_table 0 3 (i32.const 1))))) "unknown label")
(assert_invalid (module (func (block (br_table 3 0 (i32.const 1))))) "unknown label")
(assert_invalid (module (func (loop (br 0x10000001)))) "unknown label")

;; ---------------------------------------------------------------------------
;; Calls
(assert_invalid (module (func $f (param i32)) (func (call $f (i64.const 1)))) "type mismatch")
(assert_invalid (module (func $f (param i32 i32)) (func (call $f (i32.const 1)))) "type mismatch")
(assert_invalid (module (func $f (param i32)) (func (call $f))) "type mismatch")
(assert_invalid (module (func $f (result i64) (i64.const 0)) (func (result i32) (call $f))) "type mismatch")
(assert_invalid (module (func $f (result i32 i32) (i32.const 0) (i32.const 0)) (func (result i32) (call $f))) "type mismatch")
(assert_invalid (module (func (call 1))) "unknown function")
(assert_invalid (module (import "spectest" "print" (func)) (func (call 2))) "unknown function")
(assert_invalid
  (module (type (func (param i32))) (table 1 funcref) (func (call_indirect (type 0) (i64.const 1) (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (type (func)) (table 1 funcref) (func (call_indirect (type 0) (i64.const 0))))
  "type mismatch")
(assert_invalid
  (module (type (func (result i32))) (table 1 funcref) (func (result i64) (call_indirect (type 0) (i32.const 0))))
  "type mismatch")
;; call_indirect needs a funcref table.  NOTE: wabt 1.0.32 accepts this module.
(assert_invalid
  (module (type (func)) (table 1 externref) (func (call_indirect (type 0) (i32.const 0))))
  "type mismatch")
(assert_invalid (module (type (func)) (func (call_indirect (type 0) (i32.const 0)))) "unknown table")
(assert_invalid
  (module (type (func)) (table 1 funcref) (func (call_indirect 1 (type 0) (i32.const 0))))
  "unknown table")
(assert_invalid (module (table 1 funcref) (func (call_indirect (type 1) (i32.const 0)))) "unknown type")
(assert_invalid (module (func (type 3))) "unknown type")
(assert_invalid (module (type (func)) (import "spectest" "print" (func (type 1)))) "unknown type")
;; a block type index out of range (binary form: wast2json drops an unresolvable
;; (type 2) on a block instead of encoding it)
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"                             ;; type [] -> []
    "\03\02\01\00"                                   ;; one function
    "\0a\07\01\05\00\02\02\0b\0b"                    ;; block (type 2) end
  )
  "unknown type")

;; ---------------------------------------------------------------------------
;; Memories
(assert_invalid (module (func (drop (i32.load (i32.const 0))))) "unknown memory")
(assert_invalid (module (func (i64.store8 (i32.const 0) (i64.const 0)))) "unknown memory")
(assert_invalid (module (func (drop (f64.load (i32.const 0))))) "unknown memory")
(assert_invalid (module (func (drop (memory.size)))) "unknown memory")
(assert_invalid (module (func (drop (memory.grow (i32.const 0))))) "unknown memory")
(assert_invalid (module (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown memory")
(assert_invalid (module (func (memory.copy (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown memory")
(assert_invalid (module (data "x") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown memory")
(assert_invalid (module (data (i32.const 0) "x")) "unknown memory")
(assert_invalid (module (memory 1) (func (drop (i32.load (i64.const 0))))) "type mismatch")
(assert_invalid (module (memory 1) (func (result i64) (i32.load (i32.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (result i32) (i64.load32_u (i32.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (i32.store (i32.const 0) (i64.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (f32.store (f32.const 0) (f32.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (i64.store32 (i32.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (result i64) (memory.size))) "type mismatch")
(assert_invalid (module (memory 1) (func (drop (memory.grow (i64.const 1))))) "type mismatch")
(assert_invalid (module (memory 1) (func (memory.fill (i32.const 0) (i64.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (memory.copy (i32.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid
  (module (memory 1) (data "x") (func (memory.init 0 (i32.const 0) (i32.const 0) (f32.const 0))))
  "type mismatch")
;; with no data segments at all, wast2json omits the data count section (which
;; would make the module malformed instead), so these two are written in binary
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"                             ;; type [] -> []
    "\03\02\01\00"                                   ;; one function
    "\05\03\01\00\01"                                ;; memory 1
    "\0c\01\00"                                      ;; data count 0
    "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\08\00\00\0b"  ;; memory.init 0
  )
  "unknown data segment")
(assert_invalid (module (memory 1) (data "x") (func (memory.init 1 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown data segment")
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"                             ;; type [] -> []
    "\03\02\01\00"                                   ;; one function
    "\0c\01\00"                                      ;; data count 0
    "\0a\07\01\05\00\fc\09\00\0b"                    ;; data.drop 0
  )
  "unknown data segment")
(assert_invalid (module (memory 1) (data "") (func (data.drop 1))) "unknown data segment")
;; alignment may not exceed the natural alignment
(assert_invalid (module (memory 1) (func (drop (i32.load8_s align=2 (i32.const 0))))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (i32.load16_u align=4 (i32.const 0))))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (i32.load align=8 (i32.const 0))))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (i64.load align=16 (i32.const 0))))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (i64.load32_s align=8 (i32.const 0))))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (f32.load align=8 (i32.const 0))))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (f64.load align=16 (i32.const 0))))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (i32.store8 align=2 (i32.const 0) (i32.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (i64.store16 align=4 (i32.const 0) (i64.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (i64.store32 align=8 (i32.const 0) (i64.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (f32.store align=8 (i32.const 0) (f32.const 0)))) "alignment must not be larger than natural")
;; limits
(assert_invalid (module (memory 2 1)) "size minimum must not be greater than maximum")
(assert_invalid (module (memory 65537)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (memory 0 65537)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (memory 0x80000000)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (memory 0xffffffff 0xffffffff)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (import "spectest" "memory" (memory 65537))) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (import "spectest" "memory" (memory 2 1))) "size minimum must not be greater than maximum")
(assert_invalid (module (table 2 1 funcref)) "size minimum must not be greater than maximum")
(assert_invalid (module (table 0xffffffff 0 externref)) "size minimum must not be greater than maximum")
(assert_invalid (module (import "spectest" "table" (table 10 5 funcref))) "size minimum must not be greater than maximum")
;; at most one memory in WebAssembly 2.0 (binary form: the text form would
;; need the multi-memory extension to parse).  NOTE: wabt accepts these when
;; multi-memory is enabled (e.g. --enable-all).
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\05\05\02\00\01\00\01"                          ;; memory section: two memories
  )
  "multiple memories")
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\02\14\01\08spectest\06memory\02\00\01"         ;; import spectest.memory
    "\05\03\01\00\01"                                ;; and define another
  )
  "multiple memories")
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\02\27\02"                                      ;; two memory imports
      "\08spectest\06memory\02\00\01"
      "\08spectest\06memory\02\00\01"
  )
  "multiple memories")

;; ---------------------------------------------------------------------------
;; Tables and references
(assert_invalid (module (table 1 funcref) (func (drop (table.get 0 (i64.const 0))))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func (result externref) (table.get 0 (i32.const 0)))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func (table.set 0 (i32.const 0) (ref.null extern)))) "type mismatch")
(assert_invalid (module (table 1 externref) (func (table.set 0 (i32.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func (drop (table.grow 0 (ref.null extern) (i32.const 1))))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func (drop (table.grow 0 (ref.null func) (i64.const 1))))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func (result i64) (table.size 0))) "type mismatch")
(assert_invalid (module (table 1 externref) (func (table.fill 0 (i32.const 0) (ref.null func) (i32.const 1)))) "type mismatch")
(assert_invalid (module (table 1 externref) (func (table.fill 0 (i32.const 0) (ref.null extern)))) "type mismatch")
(assert_invalid
  (module (table $f 1 funcref) (table $e 1 externref) (func (table.copy $f $e (i32.const 0) (i32.const 0) (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (table 1 funcref) (func (table.copy 0 0 (i32.const 0) (i32.const 0) (f32.const 0))))
  "type mismatch")
(assert_invalid
  (module (table 1 externref) (elem funcref (ref.null func)) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (table 1 funcref) (elem externref (ref.null extern)) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (table 1 funcref) (elem func) (func (table.init 0 0 (i32.const 0) (i32.const 0))))
  "type mismatch")
(assert_invalid (module (func (drop (table.get 0 (i32.const 0))))) "unknown table")
(assert_invalid (module (table 1 funcref) (func (table.set 1 (i32.const 0) (ref.null func)))) "unknown table")
(assert_invalid (module (func (drop (table.size 0)))) "unknown table")
(assert_invalid (module (func (drop (table.grow 0 (ref.null func) (i32.const 0))))) "unknown table")
(assert_invalid (module (func (table.fill 0 (i32.const 0) (ref.null func) (i32.const 0)))) "unknown table")
(assert_invalid (module (table 1 funcref) (func (table.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown table")
(assert_invalid (module (elem func) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown table")
(assert_invalid (module (func $f) (elem (i32.const 0) $f)) "unknown table")
(assert_invalid (module (table 1 funcref) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown elem segment")
(assert_invalid (module (table 1 funcref) (elem func) (func (elem.drop 1))) "unknown elem segment")
(assert_invalid (module (func (elem.drop 0))) "unknown elem segment")
;; element segments must match their table's element type
(assert_invalid (module (table 1 externref) (func $f) (elem (i32.const 0) $f)) "type mismatch")
(assert_invalid (module (table 1 funcref) (elem (table 0) (i32.const 0) externref (ref.null extern))) "type mismatch")
(assert_invalid (module (elem funcref (ref.null extern))) "type mismatch")
(assert_invalid (module (elem externref (ref.null func))) "type mismatch")
;; ref instructions
(assert_invalid (module (func (result i32) (ref.is_null (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (ref.is_null))) "type mismatch")
(assert_invalid (module (func (result externref) (ref.null func))) "type mismatch")
(assert_invalid (module (func (result i32) (ref.null extern))) "type mismatch")
(assert_invalid (module (func $f) (elem declare func $f) (func (result externref) (ref.func $f))) "type mismatch")
(assert_invalid (module (func (result funcref) (ref.func 7))) "unknown function")
;; ref.func needs the function to be referenced outside function bodies
(assert_invalid (module (func $f) (func (result funcref) (ref.func $f))) "undeclared function reference")
(assert_invalid (module (func $f) (func $g (result funcref) (ref.func $g))) "undeclared function reference")
(assert_invalid
  (module (func $f) (func $g) (elem declare func $g) (func (result funcref) (ref.func $f)))
  "undeclared function reference")
(assert_invalid
  (module (func $f) (start $f) (func (result funcref) (ref.func $f)))
  "undeclared function reference")
;; ...which it may be in an element segment of any kind, a global or an export.
;; NOTE: wabt 1.0.32 with --enable-all rejects these valid modules (with
;; function references enabled it does not accept ref.func where funcref is
;; expected); they load with its default feature set.
(module (func $f) (elem declare func $f) (func (result funcref) (ref.func $f)))
(module (func $f) (table 1 funcref) (elem (i32.const 0) $f) (func (result funcref) (ref.func $f)))
(module (func $f) (elem funcref (ref.func $f)) (func (result funcref) (ref.func $f)))
(module (func $f) (global funcref (ref.func $f)) (func (result funcref) (ref.func $f)))
(module (func $f (export "f")) (func (result funcref) (ref.func $f)))
(module (import "spectest" "print" (func $p)) (export "p" (func $p)) (func (result funcref) (ref.func $p)))

;; ---------------------------------------------------------------------------
;; Constant expressions.  NOTE: wabt accepts i32/i64 add, sub and mul in
;; constant expressions when extended-const is enabled (e.g. --enable-all);
;; WebAssembly 2.0 does not.
(assert_invalid (module (global i32 (i32.add (i32.const 1) (i32.const 2)))) "constant expression required")
(assert_invalid (module (global i64 (i64.mul (i64.const 1) (i64.const 2)))) "constant expression required")
(assert_invalid (module (global i32 (nop) (i32.const 0))) "constant expression required")
(assert_invalid (module (global i32 (block (result i32) (i32.const 0)))) "constant expression required")
(assert_invalid (module (global i32 (unreachable))) "constant expression required")
(assert_invalid (module (global f32 (f32.neg (f32.const 1)))) "constant expression required")
(assert_invalid (module (global i32 (i32.const 0) (drop) (i32.const 1))) "constant expression required")
(assert_invalid
  (module (import "spectest" "global_i32" (global $g (mut i32))) (global i32 (global.get $g)))
  "constant expression required")
(assert_invalid (module (memory 1) (data (i32.add (i32.const 0) (i32.const 1)) "x")) "constant expression required")
(assert_invalid (module (table 1 funcref) (elem (i32.sub (i32.const 0) (i32.const 0)))) "constant expression required")
(assert_invalid (module (table 1 funcref) (elem funcref (i32.const 0))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func $f) (elem funcref (block (result funcref) (ref.func $f))))
  "constant expression required")
(assert_invalid (module (global i32 (i64.const 0))) "type mismatch")
(assert_invalid (module (global f64 (f32.const 0))) "type mismatch")
(assert_invalid (module (global externref (ref.null func))) "type mismatch")
(assert_invalid (module (global i32)) "type mismatch")
(assert_invalid (module (global i32 (i32.const 0) (i32.const 0))) "type mismatch")
(assert_invalid (module (global (mut i64) (i32.const 0))) "type mismatch")
(assert_invalid (module (memory 1) (data (i64.const 0) "x")) "type mismatch")
(assert_invalid (module (memory 1) (data (f32.const 0) "x")) "type mismatch")
(assert_invalid (module (table 1 funcref) (elem (i64.const 0))) "type mismatch")
(assert_invalid (module (table 1 funcref) (elem (ref.null func))) "type mismatch")
(assert_invalid
  (module (import "spectest" "global_i64" (global $g i64)) (global i32 (global.get $g)))
  "type mismatch")
(assert_invalid
  (module (import "spectest" "global_i64" (global $g i64)) (memory 1) (data (global.get $g) "x"))
  "type mismatch")
;; in WebAssembly 2.0 only imported globals may be referenced
(assert_invalid (module (global i32 (i32.const 0)) (global i32 (global.get 0))) "unknown global")
(assert_invalid (module (global i32 (global.get 1)) (global i32 (i32.const 0))) "unknown global")
(assert_invalid (module (global i32 (global.get 0))) "unknown global")
(assert_invalid (module (global $g i32 (i32.const 0)) (memory 1) (data (global.get $g) "x")) "unknown global")
(assert_invalid (module (global $g i32 (i32.const 0)) (table 1 funcref) (elem (global.get $g))) "unknown global")

;; ---------------------------------------------------------------------------
;; Module-level rules
(assert_invalid (module (func $s (param i32)) (start $s)) "start function")
(assert_invalid (module (func $s (result i32) (i32.const 0)) (start $s)) "start function")
(assert_invalid (module (func $s (param i64) (result f32) (f32.const 0)) (start $s)) "start function")
(assert_invalid (module (import "spectest" "print_i32" (func $p (param i32))) (start $p)) "start function")
(assert_invalid (module (start 0)) "unknown function")
(assert_invalid (module (func) (start 1)) "unknown function")
(assert_invalid (module (func (export "a")) (func (export "a"))) "duplicate export name")
(assert_invalid (module (func (export "a")) (memory (export "a") 1)) "duplicate export name")
(assert_invalid (module (global (export "g") i32 (i32.const 0)) (table (export "g") 1 funcref)) "duplicate export name")
(assert_invalid (module (func $f) (export "x" (func $f)) (export "x" (func $f))) "duplicate export name")
(assert_invalid (module (func (export "\u{e9}")) (func (export "e\u{301}")) (func (export "\u{e9}"))) "duplicate export name")
(assert_invalid (module (export "f" (func 0))) "unknown function")
(assert_invalid (module (export "g" (global 0))) "unknown global")
(assert_invalid (module (export "t" (table 0))) "unknown table")
(assert_invalid (module (export "m" (memory 0))) "unknown memory")
;; names that differ only in case or normalisation are distinct, so this is valid
(module (func (export "a")) (func (export "A")) (func (export "\u{e9}")) (func (export "e\u{301}")) (func (export "")))

;; ---------------------------------------------------------------------------
;; Unreachable code: after unreachable, br, br_table or return the operand
;; stack is polymorphic, but whatever is pushed afterwards is still typed.
(module
  (func (result i32) (unreachable))
  (func (result i32 i64 f32) (unreachable))
  (func (result i32) (unreachable) (i32.add))
  (func (result i32) (unreachable) (i64.const 0) (i32.wrap_i64))
  (func (result i32) (unreachable) (select))
  (func (result i64) (unreachable) (i64.const 1) (i32.const 0) (select))
  (func (unreachable) (drop) (drop) (drop))
  (func (result f64) (return (f64.const 1)) (f64.add))
  (func (result i32) (block (result i32) (br 0 (i32.const 1)) (i32.add)))
  (func (result i32) (block (result i32) (i32.const 0) (i32.const 0) (br_table 0 0)) (i32.eqz))
  (func (local i32) (block (br 0) (local.set 0)) (drop (i32.const 0)) (nop) (return) (f32.const 1) (drop))
  (func (param i32) (result i32) (loop (br 0)) (i32.const 5))
  (func (result i32) (unreachable) (if (result i32) (then (i32.const 1)) (else (i32.const 2))))
  (func (result i32) (unreachable) (block (result i32) (i32.const 7)))
  (func (result externref) (unreachable) (ref.is_null) (drop) (ref.null extern))
  (func (result i32) (unreachable) (ref.is_null))
  (func (unreachable) (br_if 0) (drop))
  (func (result i32) (block (result i32) (unreachable) (br_if 0)))
  (func (param i32) (result i32) (block (result i32) (i32.const 1) (br_table 0 (local.get 0))) (unreachable) (i32.const 0) (return))
)
(assert_invalid (module (func (result i32) (unreachable) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (result i32) (unreachable) (i64.const 0) (i32.add))) "type mismatch")
(assert_invalid (module (func (result i32) (unreachable) (f32.const 0) (i32.const 0) (i32.add))) "type mismatch")
(assert_invalid (module (func (unreachable) (i32.const 0))) "type mismatch")
(assert_invalid (module (func (result i32) (return (i32.const 1)) (i64.const 0) (drop) (f32.const 0))) "type mismatch")
(assert_invalid (module (func (result i32) (block (result i32) (br 0 (i32.const 1)) (f32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (unreachable) (select (i32.const 1) (i64.const 1) (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (unreachable) (i32.const 0) (i64.const 0) (select))) "type mismatch")
(assert_invalid (module (func (unreachable) (i64.const 0) (br_if 0))) "type mismatch")
(assert_invalid (module (func (result i32) (loop (result i32) (br 0) (i64.const 1)))) "type mismatch")
;; a nested block is type-checked on its own, even inside unreachable code
(assert_invalid (module (func (unreachable) (block (i32.add)))) "type mismatch")
(assert_invalid (module (func (result i32) (unreachable) (block (result i32) (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (unreachable) (if (i64.const 0) (then)))) "type mismatch")
(assert_invalid (module (func (result i32) (unreachable) (if (result i32) (i32.const 0) (then (i32.const 0))))) "type mismatch")
;; unknown indices are errors in unreachable code too
(assert_invalid (module (func (unreachable) (local.get 0) (drop))) "unknown local")
(assert_invalid (module (func (unreachable) (br 1))) "unknown label")
(assert_invalid (module (func (unreachable) (call 3))) "unknown function")
(assert_invalid (module (func (unreachable) (global.get 0) (drop))) "unknown global")
(assert_invalid (module (func (unreachable) (i32.load (i32.const 0)) (drop))) "unknown memory")
;; Block parameters beyond the validator's small inline buffer, with a type error
;; in the deepest one (a memory leak on this path was found by the fuzzer).
(assert_invalid
  (module
    (type $t (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
    (func
      (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (block (type $t) (drop) (drop) (drop) (drop) (drop) (drop) (drop) (drop) (drop) (drop))))
  "type mismatch")
