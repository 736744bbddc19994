;; bulk.wast -- bulk memory and table operations.
;;
;; Covers: memory.fill (value truncated to a byte), memory.copy (disjoint,
;; overlapping in both directions, onto itself), memory.init from passive
;; segments, data.drop (idempotent; active segments count as dropped after
;; instantiation), table.init from passive segments (including null entries),
;; table.copy within one table and between two tables (both overlap
;; directions), elem.drop (idempotent; active and declarative segments count as
;; dropped).  Bounds: zero-length operations exactly at the end are allowed,
;; one past the end trap; no operation writes anything when it traps; lengths
;; and offsets near 2^32 never wrap.  Traps: "out of bounds memory access" and
;; "out of bounds table access".
;;
;; Original test written for wasmgate; see README.md.

(module
  (memory 1 1)
  (data $d0 "\01\02\03\04\05\06\07\08")
  (data $hello "hello")
  (data $act (i32.const 1000) "\aa\bb")
  (data $empty "")

  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_d0") (param i32 i32 i32) (memory.init $d0 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_hello") (param i32 i32 i32) (memory.init $hello (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_act") (param i32 i32 i32) (memory.init $act (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_empty") (param i32 i32 i32) (memory.init $empty (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop_d0") (data.drop $d0))
  (func (export "drop_act") (data.drop $act))
  (func (export "drop_empty") (data.drop $empty))
)

;; the active segment was written at instantiation
(assert_return (invoke "load8" (i32.const 1000)) (i32.const 0xaa))
(assert_return (invoke "load8" (i32.const 1001)) (i32.const 0xbb))

;; --- memory.fill
(assert_return (invoke "fill" (i32.const 10) (i32.const 0xab) (i32.const 4)))
(assert_return (invoke "load64" (i32.const 8)) (i64.const 0x0000abababab0000))
(assert_return (invoke "fill" (i32.const 20) (i32.const 0x12345678) (i32.const 3)))
(assert_return (invoke "load64" (i32.const 16)) (i64.const 0x0078787800000000))
(assert_return (invoke "fill" (i32.const 21) (i32.const -1) (i32.const 1)))
(assert_return (invoke "load64" (i32.const 16)) (i64.const 0x0078ff7800000000))
(assert_return (invoke "fill" (i32.const 11) (i32.const 0) (i32.const 0)))
(assert_return (invoke "load8" (i32.const 11)) (i32.const 0xab))
;; the whole memory, then back to zero
(assert_return (invoke "fill" (i32.const 0) (i32.const 0x11) (i32.const 65536)))
(assert_return (invoke "load8" (i32.const 0)) (i32.const 0x11))
(assert_return (invoke "load8" (i32.const 65535)) (i32.const 0x11))
(assert_return (invoke "fill" (i32.const 0) (i32.const 0) (i32.const 0x10000)))
(assert_return (invoke "load64" (i32.const 32768)) (i64.const 0))
;; at and past the end
(assert_return (invoke "fill" (i32.const 65536) (i32.const 1) (i32.const 0)))
(assert_trap (invoke "fill" (i32.const 65537) (i32.const 1) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 0x80000000) (i32.const 1) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const -1) (i32.const 1) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "fill" (i32.const 65530) (i32.const 1) (i32.const 6)))
(assert_trap (invoke "fill" (i32.const 65530) (i32.const 2) (i32.const 7)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 65530)) (i32.const 1))
(assert_return (invoke "load8" (i32.const 65535)) (i32.const 1))
(assert_trap (invoke "fill" (i32.const 1) (i32.const 3) (i32.const 0xffffffff)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 0xffffff00) (i32.const 3) (i32.const 0x100)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 0) (i32.const 3) (i32.const 65537)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 1)) (i32.const 0))
(assert_return (invoke "load8" (i32.const 0)) (i32.const 0))

;; --- memory.init and memory.copy
(assert_return (invoke "init_d0" (i32.const 100) (i32.const 0) (i32.const 8)))
(assert_return (invoke "load64" (i32.const 100)) (i64.const 0x0807060504030201))
(assert_return (invoke "init_d0" (i32.const 300) (i32.const 2) (i32.const 3)))
(assert_return (invoke "load64" (i32.const 298)) (i64.const 0x0000000504030000))
(assert_return (invoke "init_hello" (i32.const 400) (i32.const 1) (i32.const 4)))
(assert_return (invoke "load8" (i32.const 400)) (i32.const 101))
(assert_return (invoke "load8" (i32.const 403)) (i32.const 111))
(assert_return (invoke "load8" (i32.const 404)) (i32.const 0))
;; the same segment can be used any number of times until dropped
(assert_return (invoke "init_hello" (i32.const 410) (i32.const 0) (i32.const 5)))
(assert_return (invoke "load8" (i32.const 410)) (i32.const 104))
;; disjoint copy
(assert_return (invoke "copy" (i32.const 200) (i32.const 100) (i32.const 8)))
(assert_return (invoke "load64" (i32.const 200)) (i64.const 0x0807060504030201))
;; overlapping, destination above source: behaves as if through a buffer
(assert_return (invoke "copy" (i32.const 102) (i32.const 100) (i32.const 6)))
(assert_return (invoke "load64" (i32.const 100)) (i64.const 0x0605040302010201))
;; overlapping, destination below source
(assert_return (invoke "store64" (i32.const 100) (i64.const 0x0807060504030201)))
(assert_return (invoke "copy" (i32.const 100) (i32.const 102) (i32.const 6)))
(assert_return (invoke "load64" (i32.const 100)) (i64.const 0x0807080706050403))
;; overlap by a single byte in each direction
(assert_return (invoke "store64" (i32.const 100) (i64.const 0x0807060504030201)))
(assert_return (invoke "copy" (i32.const 101) (i32.const 100) (i32.const 7)))
(assert_return (invoke "load64" (i32.const 100)) (i64.const 0x0706050403020101))
(assert_return (invoke "store64" (i32.const 100) (i64.const 0x0807060504030201)))
(assert_return (invoke "copy" (i32.const 100) (i32.const 101) (i32.const 7)))
(assert_return (invoke "load64" (i32.const 100)) (i64.const 0x0808070605040302))
;; onto itself
(assert_return (invoke "store64" (i32.const 100) (i64.const 0x0807060504030201)))
(assert_return (invoke "copy" (i32.const 100) (i32.const 100) (i32.const 8)))
(assert_return (invoke "load64" (i32.const 100)) (i64.const 0x0807060504030201))
;; a long overlapping shift in both directions (several KiB)
(assert_return (invoke "fill" (i32.const 4096) (i32.const 0x33) (i32.const 8192)))
(assert_return (invoke "store64" (i32.const 4096) (i64.const 0x1122334455667788)))
(assert_return (invoke "store64" (i32.const 12280) (i64.const 0x99aabbccddeeff00)))
(assert_return (invoke "copy" (i32.const 4097) (i32.const 4096) (i32.const 8192)))
(assert_return (invoke "load64" (i32.const 4096)) (i64.const 0x2233445566778888))
(assert_return (invoke "load64" (i32.const 12281)) (i64.const 0x99aabbccddeeff00))
(assert_return (invoke "load8" (i32.const 12288)) (i32.const 0x99))
(assert_return (invoke "load8" (i32.const 12289)) (i32.const 0))
(assert_return (invoke "copy" (i32.const 4096) (i32.const 4097) (i32.const 8192)))
(assert_return (invoke "load64" (i32.const 4096)) (i64.const 0x1122334455667788))
(assert_return (invoke "load64" (i32.const 12280)) (i64.const 0x99aabbccddeeff00))
(assert_return (invoke "load8" (i32.const 12288)) (i32.const 0x99))
(assert_return (invoke "load8" (i32.const 8000)) (i32.const 0x33))
;; zero length at the end of memory, for source and destination
(assert_return (invoke "copy" (i32.const 65536) (i32.const 0) (i32.const 0)))
(assert_return (invoke "copy" (i32.const 0) (i32.const 65536) (i32.const 0)))
(assert_return (invoke "copy" (i32.const 65536) (i32.const 65536) (i32.const 0)))
(assert_trap (invoke "copy" (i32.const 65537) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const 65537) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const -1) (i32.const 0) (i32.const 0)) "out of bounds memory access")
;; non-zero length across the end: nothing is written
(assert_return (invoke "copy" (i32.const 65528) (i32.const 100) (i32.const 8)))
(assert_return (invoke "load64" (i32.const 65528)) (i64.const 0x0807060504030201))
(assert_trap (invoke "copy" (i32.const 65529) (i32.const 200) (i32.const 8)) "out of bounds memory access")
(assert_return (invoke "load64" (i32.const 65528)) (i64.const 0x0807060504030201))
(assert_trap (invoke "copy" (i32.const 300) (i32.const 65529) (i32.const 8)) "out of bounds memory access")
(assert_return (invoke "load64" (i32.const 296)) (i64.const 0x0005040300000000))
(assert_trap (invoke "copy" (i32.const 65000) (i32.const 64000) (i32.const 1000)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 65000)) (i32.const 0))
(assert_trap (invoke "copy" (i32.const 1) (i32.const 0) (i32.const 0xffffffff)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const 1) (i32.const 0xffffffff)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0xfffffff0) (i32.const 0) (i32.const 0x10)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 0)) (i32.const 0))

;; --- memory.init bounds
(assert_return (invoke "init_d0" (i32.const 500) (i32.const 8) (i32.const 0)))
(assert_trap (invoke "init_d0" (i32.const 500) (i32.const 9) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "init_d0" (i32.const 500) (i32.const 7) (i32.const 2)) "out of bounds memory access")
(assert_trap (invoke "init_d0" (i32.const 500) (i32.const 0) (i32.const 9)) "out of bounds memory access")
(assert_trap (invoke "init_d0" (i32.const 500) (i32.const 1) (i32.const 0xffffffff)) "out of bounds memory access")
(assert_trap (invoke "init_d0" (i32.const 500) (i32.const 0xffffffff) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 500)) (i32.const 0))
(assert_return (invoke "init_d0" (i32.const 65535) (i32.const 7) (i32.const 1)))
(assert_return (invoke "load8" (i32.const 65535)) (i32.const 8))
(assert_trap (invoke "init_d0" (i32.const 65535) (i32.const 0) (i32.const 2)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 65535)) (i32.const 8))
(assert_return (invoke "init_d0" (i32.const 65536) (i32.const 0) (i32.const 0)))
(assert_return (invoke "init_d0" (i32.const 65536) (i32.const 8) (i32.const 0)))
(assert_trap (invoke "init_d0" (i32.const 65537) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "init_d0" (i32.const 65532) (i32.const 0) (i32.const 8)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 65532)) (i32.const 5))
;; an empty passive segment
(assert_return (invoke "init_empty" (i32.const 0) (i32.const 0) (i32.const 0)))
(assert_return (invoke "init_empty" (i32.const 65536) (i32.const 0) (i32.const 0)))
(assert_trap (invoke "init_empty" (i32.const 0) (i32.const 1) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "init_empty" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds memory access")

;; --- data.drop
;; active segments are already dropped: only zero-length, zero-offset init works
(assert_return (invoke "init_act" (i32.const 0) (i32.const 0) (i32.const 0)))
(assert_trap (invoke "init_act" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "init_act" (i32.const 0) (i32.const 1) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "drop_act"))
(assert_return (invoke "drop_act"))
(assert_return (invoke "drop_d0"))
(assert_return (invoke "init_d0" (i32.const 600) (i32.const 0) (i32.const 0)))
(assert_return (invoke "init_d0" (i32.const 65536) (i32.const 0) (i32.const 0)))
(assert_trap (invoke "init_d0" (i32.const 600) (i32.const 0) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "init_d0" (i32.const 600) (i32.const 1) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "init_d0" (i32.const 65537) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "drop_d0"))
(assert_return (invoke "drop_empty"))
(assert_return (invoke "init_empty" (i32.const 0) (i32.const 0) (i32.const 0)))
;; dropping does not change memory contents written earlier
(assert_return (invoke "load64" (i32.const 200)) (i64.const 0x0807060504030201))
(assert_return (invoke "load8" (i32.const 65535)) (i32.const 8))
;; other segments are unaffected
(assert_return (invoke "init_hello" (i32.const 700) (i32.const 4) (i32.const 1)))
(assert_return (invoke "load8" (i32.const 700)) (i32.const 111))

;; bulk memory instructions on a memory of zero pages
(module
  (memory 0)
  (data $d "x")
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (memory.init $d (local.get 0) (local.get 1) (local.get 2)))
)
(assert_return (invoke "fill" (i32.const 0) (i32.const 0) (i32.const 0)))
(assert_return (invoke "copy" (i32.const 0) (i32.const 0) (i32.const 0)))
(assert_return (invoke "init" (i32.const 0) (i32.const 1) (i32.const 0)))
(assert_trap (invoke "fill" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 1) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 1) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "init" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "init" (i32.const 1) (i32.const 0) (i32.const 0)) "out of bounds memory access")

;; bulk operations see memory grown at run time
(module
  (memory 1 2)
  (func (export "grow") (result i32) (memory.grow (i32.const 1)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
)
(assert_trap (invoke "fill" (i32.const 65536) (i32.const 7) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "grow") (i32.const 1))
(assert_return (invoke "fill" (i32.const 65530) (i32.const 7) (i32.const 65542)))
(assert_return (invoke "load8" (i32.const 131071)) (i32.const 7))
(assert_return (invoke "load8" (i32.const 65529)) (i32.const 0))
(assert_return (invoke "copy" (i32.const 0) (i32.const 65536) (i32.const 65536)))
(assert_return (invoke "load8" (i32.const 65535)) (i32.const 7))
(assert_return (invoke "load8" (i32.const 0)) (i32.const 7))
(assert_trap (invoke "copy" (i32.const 65536) (i32.const 0) (i32.const 65537)) "out of bounds memory access")

;; ---------------------------------------------------------------------------
;; table.init / table.copy / elem.drop
(module
  (type $v_i (func (result i32)))
  (table $t 10 funcref)
  (table $u 5 funcref)
  (elem $e0 func $f0 $f1 $f2 $f3)
  (elem $e1 funcref (ref.func $f4) (ref.null func) (ref.func $f0))
  (elem $act (table $t) (i32.const 8) func $f3)
  (elem $decl declare func $f4)
  (elem $none func)
  (func $f0 (type $v_i) (i32.const 100))
  (func $f1 (type $v_i) (i32.const 101))
  (func $f2 (type $v_i) (i32.const 102))
  (func $f3 (type $v_i) (i32.const 103))
  (func $f4 (type $v_i) (i32.const 104))
  (func (export "call_t") (param i32) (result i32) (call_indirect $t (type $v_i) (local.get 0)))
  (func (export "call_u") (param i32) (result i32) (call_indirect $u (type $v_i) (local.get 0)))
  (func (export "null_t") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "init_t_e0") (param i32 i32 i32) (table.init $t $e0 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_t_e1") (param i32 i32 i32) (table.init $t $e1 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_u_e0") (param i32 i32 i32) (table.init $u $e0 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_t_act") (param i32 i32 i32) (table.init $t $act (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_t_decl") (param i32 i32 i32) (table.init $t $decl (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_t_none") (param i32 i32 i32) (table.init $t $none (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_tt") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_ut") (param i32 i32 i32) (table.copy $u $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_tu") (param i32 i32 i32) (table.copy $t $u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop_e0") (elem.drop $e0))
  (func (export "drop_act") (elem.drop $act))
  (func (export "drop_decl") (elem.drop $decl))
)
;; the active segment was applied; everything else is null
(assert_return (invoke "call_t" (i32.const 8)) (i32.const 103))
(assert_trap (invoke "call_t" (i32.const 0)) "uninitialized element")
(assert_trap (invoke "call_t" (i32.const 9)) "uninitialized element")
(assert_trap (invoke "call_u" (i32.const 0)) "uninitialized element")

(assert_return (invoke "init_t_e0" (i32.const 0) (i32.const 0) (i32.const 4)))
(assert_return (invoke "call_t" (i32.const 0)) (i32.const 100))
(assert_return (invoke "call_t" (i32.const 1)) (i32.const 101))
(assert_return (invoke "call_t" (i32.const 2)) (i32.const 102))
(assert_return (invoke "call_t" (i32.const 3)) (i32.const 103))
(assert_trap (invoke "call_t" (i32.const 4)) "uninitialized element")
(assert_return (invoke "init_t_e0" (i32.const 5) (i32.const 1) (i32.const 3)))
(assert_return (invoke "call_t" (i32.const 5)) (i32.const 101))
(assert_return (invoke "call_t" (i32.const 6)) (i32.const 102))
(assert_return (invoke "call_t" (i32.const 7)) (i32.const 103))
;; zero length at the end of the segment and of the table
(assert_return (invoke "init_t_e0" (i32.const 6) (i32.const 4) (i32.const 0)))
(assert_return (invoke "init_t_e0" (i32.const 10) (i32.const 0) (i32.const 0)))
(assert_trap (invoke "init_t_e0" (i32.const 6) (i32.const 5) (i32.const 0)) "out of bounds table access")
(assert_trap (invoke "init_t_e0" (i32.const 11) (i32.const 0) (i32.const 0)) "out of bounds table access")
;; partly out of bounds: nothing is written
(assert_trap (invoke "init_t_e0" (i32.const 8) (i32.const 0) (i32.const 3)) "out of bounds table access")
(assert_return (invoke "call_t" (i32.const 8)) (i32.const 103))
(assert_return (invoke "null_t" (i32.const 9)) (i32.const 1))
(assert_trap (invoke "init_t_e0" (i32.const 4) (i32.const 2) (i32.const 3)) "out of bounds table access")
(assert_return (invoke "null_t" (i32.const 4)) (i32.const 1))
(assert_trap (invoke "init_t_e0" (i32.const 0) (i32.const 1) (i32.const 0xffffffff)) "out of bounds table access")
(assert_trap (invoke "init_t_e0" (i32.const 0xffffffff) (i32.const 0) (i32.const 1)) "out of bounds table access")
;; a segment with a null entry, into a different position
(assert_return (invoke "init_t_e1" (i32.const 1) (i32.const 0) (i32.const 3)))
(assert_return (invoke "call_t" (i32.const 1)) (i32.const 104))
(assert_return (invoke "null_t" (i32.const 2)) (i32.const 1))
(assert_trap (invoke "call_t" (i32.const 2)) "uninitialized element")
(assert_return (invoke "call_t" (i32.const 3)) (i32.const 100))
;; the second table
(assert_return (invoke "init_u_e0" (i32.const 1) (i32.const 0) (i32.const 4)))
(assert_return (invoke "call_u" (i32.const 4)) (i32.const 103))
(assert_trap (invoke "init_u_e0" (i32.const 2) (i32.const 0) (i32.const 4)) "out of bounds table access")
(assert_return (invoke "init_u_e0" (i32.const 5) (i32.const 0) (i32.const 0)))
(assert_trap (invoke "init_u_e0" (i32.const 6) (i32.const 0) (i32.const 0)) "out of bounds table access")
;; active and declarative segments are dropped after instantiation
(assert_return (invoke "init_t_act" (i32.const 0) (i32.const 0) (i32.const 0)))
(assert_trap (invoke "init_t_act" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds table access")
(assert_return (invoke "init_t_decl" (i32.const 0) (i32.const 0) (i32.const 0)))
(assert_trap (invoke "init_t_decl" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds table access")
(assert_return (invoke "init_t_none" (i32.const 10) (i32.const 0) (i32.const 0)))
(assert_trap (invoke "init_t_none" (i32.const 0) (i32.const 1) (i32.const 0)) "out of bounds table access")
(assert_return (invoke "drop_act"))
(assert_return (invoke "drop_decl"))
(assert_return (invoke "call_t" (i32.const 8)) (i32.const 103))

;; table: 0=null 1=f4 2=null 3=f0 4=null 5=f1 6=f2 7=f3 8=f3 9=null
;; --- table.copy within one table, overlapping forward
(assert_return (invoke "copy_tt" (i32.const 6) (i32.const 5) (i32.const 3)))
(assert_return (invoke "call_t" (i32.const 5)) (i32.const 101))
(assert_return (invoke "call_t" (i32.const 6)) (i32.const 101))
(assert_return (invoke "call_t" (i32.const 7)) (i32.const 102))
(assert_return (invoke "call_t" (i32.const 8)) (i32.const 103))
(assert_return (invoke "null_t" (i32.const 9)) (i32.const 1))
;; overlapping backward: 5=f1 6=f1 7=f2 8=f3 -> copy [6,9) to 5
(assert_return (invoke "copy_tt" (i32.const 5) (i32.const 6) (i32.const 3)))
(assert_return (invoke "call_t" (i32.const 5)) (i32.const 101))
(assert_return (invoke "call_t" (i32.const 6)) (i32.const 102))
(assert_return (invoke "call_t" (i32.const 7)) (i32.const 103))
(assert_return (invoke "call_t" (i32.const 8)) (i32.const 103))
;; copying nulls overwrites with null
(assert_return (invoke "copy_tt" (i32.const 7) (i32.const 9) (i32.const 1)))
(assert_return (invoke "null_t" (i32.const 7)) (i32.const 1))
;; bounds
(assert_return (invoke "copy_tt" (i32.const 10) (i32.const 0) (i32.const 0)))
(assert_return (invoke "copy_tt" (i32.const 0) (i32.const 10) (i32.const 0)))
(assert_trap (invoke "copy_tt" (i32.const 11) (i32.const 0) (i32.const 0)) "out of bounds table access")
(assert_trap (invoke "copy_tt" (i32.const 0) (i32.const 11) (i32.const 0)) "out of bounds table access")
(assert_trap (invoke "copy_tt" (i32.const 0) (i32.const 5) (i32.const 6)) "out of bounds table access")
(assert_trap (invoke "copy_tt" (i32.const 5) (i32.const 0) (i32.const 6)) "out of bounds table access")
(assert_return (invoke "call_t" (i32.const 5)) (i32.const 101))
(assert_return (invoke "call_t" (i32.const 3)) (i32.const 100))
(assert_trap (invoke "copy_tt" (i32.const 1) (i32.const 0) (i32.const 0xffffffff)) "out of bounds table access")
;; --- table.copy between tables
(assert_return (invoke "copy_ut" (i32.const 0) (i32.const 5) (i32.const 5)))
(assert_return (invoke "call_u" (i32.const 0)) (i32.const 101))
(assert_return (invoke "call_u" (i32.const 1)) (i32.const 102))
(assert_trap (invoke "call_u" (i32.const 2)) "uninitialized element")
(assert_return (invoke "call_u" (i32.const 3)) (i32.const 103))
(assert_trap (invoke "call_u" (i32.const 4)) "uninitialized element")
(assert_trap (invoke "copy_ut" (i32.const 0) (i32.const 4) (i32.const 6)) "out of bounds table access")
(assert_trap (invoke "copy_ut" (i32.const 1) (i32.const 0) (i32.const 5)) "out of bounds table access")
(assert_return (invoke "call_u" (i32.const 0)) (i32.const 101))
(assert_return (invoke "copy_tu" (i32.const 0) (i32.const 3) (i32.const 2)))
(assert_return (invoke "call_t" (i32.const 0)) (i32.const 103))
(assert_return (invoke "null_t" (i32.const 1)) (i32.const 1))
(assert_return (invoke "copy_tu" (i32.const 10) (i32.const 5) (i32.const 0)))
(assert_trap (invoke "copy_tu" (i32.const 10) (i32.const 6) (i32.const 0)) "out of bounds table access")
;; --- elem.drop
(assert_return (invoke "drop_e0"))
(assert_return (invoke "init_t_e0" (i32.const 0) (i32.const 0) (i32.const 0)))
(assert_trap (invoke "init_t_e0" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds table access")
(assert_trap (invoke "init_t_e0" (i32.const 0) (i32.const 1) (i32.const 0)) "out of bounds table access")
(assert_return (invoke "drop_e0"))
;; other segments still usable, table contents kept
(assert_return (invoke "init_t_e1" (i32.const 9) (i32.const 2) (i32.const 1)))
(assert_return (invoke "call_t" (i32.const 9)) (i32.const 100))
(assert_return (invoke "call_t" (i32.const 5)) (i32.const 101))

;; instantiation: an active element segment that does not fit traps
(assert_trap
  (module (table 2 funcref) (func $f) (elem (i32.const 1) $f $f))
  "out of bounds table access")
(assert_trap
  (module (table 2 funcref) (func $f) (elem (i32.const 3)))
  "out of bounds table access")
(assert_trap
  (module (table 0 funcref) (func $f) (elem (i32.const 0) $f))
  "out of bounds table access")
(assert_trap
  (module (table 1 funcref) (func $f) (elem (i32.const -1) $f))
  "out of bounds table access")
;; an empty segment exactly at the end is fine
(module (table 2 funcref) (elem (i32.const 2)))
(module (table 0 funcref) (elem (i32.const 0)))
