;; malformed.wast -- binary modules that must be rejected by the decoder.
;;
;; Every case is a (module binary ...) with assert_malformed and the message
;; of the reference interpreter's decoder.  Covers: bad magic and version,
;; truncated headers, sections and bodies ("unexpected end"), section sizes
;; beyond the end ("length out of bounds") or not matching the content
;; ("section size mismatch"), LEB128 encodings that are too long or have
;; unused bits set (u32, s32, s64, u1 flags), unknown section ids, sections
;; out of order or duplicated, bad value/reference/function types, bad limits
;; flags, bad import/export kinds, bad mutability, bad element/data segment
;; kinds, function and code section count mismatch, data count mismatch,
;; memory.init/data.drop without a data count section, malformed UTF-8 in
;; import, export and custom section names, illegal opcodes, stray else,
;; missing or surplus end of a body or constant expression, non-zero reserved
;; bytes, too many locals, and excessive memarg alignment flags.  It ends with
;; binary modules that ARE well-formed: overlong but legal LEB128 encodings,
;; custom sections in every position, an empty module, a data count section
;; used by memory.init/data.drop, and all eight element segment encodings.
;;
;; Cases marked NOTE are ones where wabt 1.0.32's spectest-interp disagrees
;; with the specification; the expectation follows the specification.
;;
;; Original test written for wasmgate; see README.md.

;; ---------------------------------------------------------------------------
;; Header
;; an empty file
(assert_malformed
  (module binary
    "")
  "unexpected end")
;; magic cut short
(assert_malformed
  (module binary
    "\00\61\73")
  "unexpected end")
;; magic only
(assert_malformed
  (module binary
    "\00asm")
  "unexpected end")
;; version cut short
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00")
  "unexpected end")
;; wrong magic
(assert_malformed
  (module binary
    "\00\61\73\6e"
    "\01\00\00\00")
  "magic header not detected")
;; magic in upper case
(assert_malformed
  (module binary
    "\00\41\53\4d"
    "\01\00\00\00")
  "magic header not detected")
;; magic bytes rotated
(assert_malformed
  (module binary
    "\61\73\6d\00"
    "\01\00\00\00")
  "magic header not detected")
;; a text file
(assert_malformed
  (module binary
    "\28\6d\6f\64"
    "\75\6c\65\29")
  "magic header not detected")
;; version 2
(assert_malformed
  (module binary
    "\00asm"
    "\02\00\00\00")
  "unknown binary version")
;; version 0
(assert_malformed
  (module binary
    "\00asm"
    "\00\00\00\00")
  "unknown binary version")
;; version 1 in big-endian order
(assert_malformed
  (module binary
    "\00asm"
    "\00\00\00\01")
  "unknown binary version")
;; the pre-release version 0xd
(assert_malformed
  (module binary
    "\00asm"
    "\0d\00\00\00")
  "unknown binary version")
;; the component-model layer field
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\01\00")
  "unknown binary version")

;; ---------------------------------------------------------------------------
;; Section framing
;; a section id with no size
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01" ;; type section id, then nothing
  )
  "unexpected end")
;; a section size beyond the end of the module
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\05\01\60\00\00" ;; type section claims 5 bytes, 4 follow
  )
  "length out of bounds")
;; a custom section size beyond the end
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\00\10\01\78\61\62\63" ;; custom section claims 16 bytes
  )
  "length out of bounds")
;; a section larger than its content
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\05\01\60\00\00\00" ;; type section: size 5, content 4 bytes + 1 stray byte
  )
  "section size mismatch")
;; a section smaller than its content
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\03\01\60\00\00" ;; type section: size 3, content needs 4
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\04\01\02\00\0b" ;; code section: one empty body
  )
  "section size mismatch")
;; a section with size 0 whose content is then read from the next section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\00" ;; type section with size 0
    "\01\60\00\00" ;; its content, outside the section
  )
  "section size mismatch")
;; unknown section id 13
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\0d\00" ;; section 13, empty
  )
  "malformed section id")
;; unknown section id 0x7f
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\7f\01\00")
  "malformed section id")
;; unknown section id after valid sections
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\20\00" ;; section 0x20
  )
  "malformed section id")
;; duplicate type section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
  )
  "unexpected content after last section")
;; duplicate memory section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\05\03\01\00\01" ;; memory section
    "\05\03\01\00\01" ;; memory section again
  )
  "unexpected content after last section")
;; function section before type section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\03\02\01\00" ;; function section: one function of type 0
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\0a\04\01\02\00\0b" ;; code section: one empty body
  )
  "unexpected content after last section")
;; code section before function section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\0a\04\01\02\00\0b" ;; code section: one empty body
    "\03\02\01\00" ;; function section: one function of type 0
  )
  "unexpected content after last section")
;; data section before code section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\05\03\01\00\01" ;; memory
    "\0b\03\01\01\00" ;; data: one empty passive segment
    "\0a\04\01\02\00\0b" ;; code section: one empty body
  )
  "unexpected content after last section")
;; data count section after code section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\04\01\02\00\0b" ;; code section: one empty body
    "\0c\01\00" ;; data count 0
  )
  "unexpected content after last section")
;; export section before global section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\07\01\00" ;; empty export section
    "\06\01\00" ;; empty global section
  )
  "unexpected content after last section")
;; start section after element section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\09\01\00" ;; empty element section
    "\08\01\00" ;; start: function 0
    "\0a\04\01\02\00\0b" ;; code section: one empty body
  )
  "unexpected content after last section")
;; a custom section truncated inside its name
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\00\02\05\61\62" ;; custom section, size 2, name length 5
  )
  "length out of bounds")
;; a custom section of size 0 (it has no room for its name)
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\00\00")
  "unexpected end")

;; ---------------------------------------------------------------------------
;; LEB128 integers
;; u32 section size in 6 bytes
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\84\80\80\80\80\00\01\60\00\00" ;; type section, size 4 in 6 bytes
  )
  "integer representation too long")
;; u32 vector count in 6 bytes
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\09\81\80\80\80\80\00\60\00\00" ;; type count 1 in 6 bytes
  )
  "integer representation too long")
;; u32 with unused bits set in the 5th byte
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\05\07\01\00\82\80\80\80\10" ;; memory min: 5th byte 0x10 sets bit 32
  )
  "integer too large")
;; u32 with the top bit of the 5th byte set (0x70)
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\05\07\01\00\ff\ff\ff\ff\7f" ;; memory min
  )
  "integer too large")
;; u32 function index with unused bits
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\08\05\80\80\80\80\20" ;; start function index: bit 33 set
    "\0a\04\01\02\00\0b" ;; code section: one empty body
  )
  "integer too large")
;; signed LEB128 in i32.const / i64.const immediates
;; i32.const in 6 bytes
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\0c\01\0a\00\41\80\80\80\80\80\00\1a\0b" ;; code
  )
  "integer representation too long")
;; i32.const whose 5th byte is not a sign extension (0x0f)
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\0b\01\09\00\41\ff\ff\ff\ff\0f\1a\0b" ;; code
  )
  "integer too large")
;; i32.const whose 5th byte is not a sign extension (0x70)
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\0b\01\09\00\41\80\80\80\80\70\1a\0b" ;; code
  )
  "integer too large")
;; i32.const whose 5th byte is 0x08
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\0b\01\09\00\41\80\80\80\80\08\1a\0b" ;; code
  )
  "integer too large")
;; i64.const in 11 bytes
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\11\01\0f\00\42\80\80\80\80\80\80\80\80\80\80\00\1a\0b" ;; code
  )
  "integer representation too long")
;; i64.const whose 10th byte is 0x01
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\10\01\0e\00\42\80\80\80\80\80\80\80\80\80\01\1a\0b" ;; code
  )
  "integer too large")
;; i64.const whose 10th byte is 0x7e
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\10\01\0e\00\42\ff\ff\ff\ff\ff\ff\ff\ff\ff\7e\1a\0b" ;; code
  )
  "integer too large")
;; i64.const whose 10th byte is 0x41
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\10\01\0e\00\42\80\80\80\80\80\80\80\80\80\41\1a\0b" ;; code
  )
  "integer too large")
;; memarg offset in 6 bytes
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type
    "\03\02\01\00" ;; function section: one function of type 0
    "\05\03\01\00\01" ;; memory 1
    "\0a\0f\01\0d\00\41\00\28\02\80\80\80\80\80\00\1a\0b" ;; i32.load offset in 6 bytes
  )
  "integer representation too long")
;; memarg offset with unused bits set
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type
    "\03\02\01\00" ;; function section: one function of type 0
    "\05\03\01\00\01" ;; memory 1
    "\0a\0e\01\0c\00\41\00\28\02\80\80\80\80\10\1a\0b" ;; i32.load offset 2^32
  )
  "integer too large")
;; limits flags 0x02
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\05\03\01\02\00" ;; memory: flags 2
  )
  "integer too large")
;; limits flags 0x03 (shared memories are not in 2.0)
;; NOTE: wabt accepts this when threads are enabled (e.g. --enable-all).
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\05\04\01\03\00\01" ;; memory: flags 3
  )
  "integer too large")
;; limits flags 0x04
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\04\04\01\70\04\00" ;; table: flags 4
  )
  "integer too large")
;; limits flags as a two-byte LEB128
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\05\04\01\80\00\00" ;; memory: flags 0 in 2 bytes
  )
  "integer representation too long")

;; ---------------------------------------------------------------------------
;; Types
;; a function type that does not start with 0x60
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\61\00\00" ;; form 0x61
  )
  "malformed function type")
;; a function type form 0x40
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\40\00\00" ;; form 0x40
  )
  "malformed function type")
;; an unknown value type in a parameter
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\05\01\60\01\7a\00" ;; param type 0x7a
  )
  "malformed reference type")
;; an unknown value type in a result
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\05\01\60\00\01\40" ;; result type 0x40
  )
  "malformed reference type")
;; value type 0x00
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\05\01\60\01\00\00" ;; param type 0x00
  )
  "malformed reference type")
;; a value type written as a two-byte LEB128 (value types are single bytes)
;; NOTE: wabt 1.0.32 reads value types as LEB128 and accepts this module.
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\06\01\60\01\ff\7f\00" ;; param type -1 in 2 bytes
  )
  "integer representation too long")
;; a local of unknown type
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\06\01\04\01\01\6e\0b" ;; code
  )
  "malformed reference type")
;; a table of i32
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\04\04\01\7f\00\01" ;; table element type i32
  )
  "malformed reference type")
;; a global of unknown type
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\06\06\01\7a\00\41\00\0b" ;; global type 0x7a
  )
  "malformed reference type")
;; global mutability 2
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\06\06\01\7f\02\41\00\0b" ;; mutability 2
  )
  "malformed mutability")
;; global mutability 0xff
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\06\06\01\7f\ff\41\00\0b" ;; mutability 0xff
  )
  "malformed mutability")
;; imported global mutability 2
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\08\01\01\6d\01\67\03\7f\02" ;; import global with mutability 2
  )
  "malformed mutability")
;; an unknown block type
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\07\01\05\00\02\7a\0b\0b" ;; code
  )
  "malformed reference type")

;; ---------------------------------------------------------------------------
;; Imports, exports, segments
;; import kind 4
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\07\01\01\6d\01\78\04\00" ;; import kind 4
  )
  "malformed import kind")
;; import kind 0x7f
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\06\01\01\6d\01\78\7f" ;; import kind 0x7f
  )
  "malformed import kind")
;; export kind 4
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\07\05\01\01\66\04\00" ;; export kind 4
    "\0a\04\01\02\00\0b" ;; code section: one empty body
  )
  "malformed export kind")
;; element segment kind 8
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\04\04\01\70\00\01" ;; table
    "\09\03\01\08\00" ;; element segment flags 8
  )
  "malformed elements segment kind")
;; element kind other than 0 (funcref) in a passive legacy segment
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\09\05\01\01\01\01\00" ;; flags 1, elemkind 1
    "\0a\04\01\02\00\0b" ;; code section: one empty body
  )
  "malformed element kind")
;; data segment kind 3
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\05\03\01\00\01" ;; memory
    "\0b\03\01\03\00" ;; data segment flags 3
  )
  "malformed data segment kind")
;; a name length beyond the end
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\03\01\10\6d" ;; import module name claims 16 bytes
  )
  "length out of bounds")
;; a vector count beyond what the section can hold
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\ff\ff\ff\0f" ;; type section claims 0x0fffffff types
  )
  "length out of bounds")

;; ---------------------------------------------------------------------------
;; Counts that must agree
;; two functions declared, one body
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\03\02\00\00" ;; two functions
    "\0a\04\01\02\00\0b" ;; code section: one empty body
  )
  "function and code section have inconsistent lengths")
;; one function declared, two bodies
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\07\02\02\00\0b\02\00\0b" ;; two bodies
  )
  "function and code section have inconsistent lengths")
;; a function section without a code section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
  )
  "function and code section have inconsistent lengths")
;; a code section without a function section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\0a\04\01\02\00\0b" ;; code section: one empty body
  )
  "function and code section have inconsistent lengths")
;; data count 2, one data segment
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\05\03\01\00\01" ;; memory
    "\0c\01\02" ;; data count 2
    "\0b\04\01\01\01\61" ;; one passive segment
  )
  "data count and data section have inconsistent lengths")
;; data count 1, no data section (a missing data section means zero segments)
;; NOTE: wabt 1.0.32 accepts this module.
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\05\03\01\00\01" ;; memory
    "\0c\01\01" ;; data count 1
  )
  "data count and data section have inconsistent lengths")
;; data count 0, one data segment
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\05\03\01\00\01" ;; memory
    "\0c\01\00" ;; data count 0
    "\0b\04\01\01\01\61" ;; one passive segment
  )
  "data count and data section have inconsistent lengths")
;; memory.init without a data count section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\05\03\01\00\01" ;; memory
    "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\08\00\00\0b" ;; memory.init 0
    "\0b\04\01\01\01\61" ;; one passive segment
  )
  "data count section required")
;; data.drop without a data count section
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\05\03\01\00\01" ;; memory
    "\0a\07\01\05\00\fc\09\00\0b" ;; data.drop 0
    "\0b\04\01\01\01\61" ;; one passive segment
  )
  "data count section required")

;; ---------------------------------------------------------------------------
;; Names must be valid UTF-8
;; import module name with a lone continuation byte
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\07\01\01\80\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with byte 0xff
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\07\01\01\ff\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with byte 0xfe
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\07\01\01\fe\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with an overlong encoding of NUL
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\08\01\02\c0\80\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with an overlong two-byte encoding
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\08\01\02\c1\bf\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with an overlong three-byte encoding
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\09\01\03\e0\9f\bf\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with an overlong four-byte encoding
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\0a\01\04\f0\8f\bf\bf\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with a UTF-16 surrogate (U+D800)
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\09\01\03\ed\a0\80\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with a UTF-16 surrogate (U+DFFF)
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\09\01\03\ed\bf\bf\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with a code point above U+10FFFF
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\0a\01\04\f4\90\80\80\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with a five-byte sequence
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\0b\01\05\f8\88\80\80\80\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with a truncated two-byte sequence
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\07\01\01\c3\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with a truncated three-byte sequence
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\08\01\02\e2\82\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with a truncated four-byte sequence
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\09\01\03\f0\9f\98\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import module name with a two-byte sequence with a bad second byte
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\02\08\01\02\c3\28\01\66\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; import item name with a bad byte
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\02\09\01\01\6d\03\61\ff\62\00\00" ;; import
  )
  "malformed UTF-8 encoding")
;; export name with a lone surrogate
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\07\07\01\03\ed\b0\80\00\00" ;; export
    "\0a\04\01\02\00\0b" ;; code section: one empty body
  )
  "malformed UTF-8 encoding")
;; custom section name with an overlong encoding
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\00\0a\02\c0\af\70\61\79\6c\6f\61\64" ;; custom section
  )
  "malformed UTF-8 encoding")

;; ---------------------------------------------------------------------------
;; Function bodies
;; opcode 0x06 (try, not in 2.0)
;; NOTE: wabt accepts this when exceptions are enabled (e.g. --enable-all).
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\07\01\05\00\06\40\0b\0b" ;; code
  )
  "illegal opcode")
;; opcode 0x0a
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\05\01\03\00\0a\0b" ;; code
  )
  "illegal opcode")
;; opcode 0x12 (return_call, not in 2.0)
;; NOTE: wabt accepts this when tail calls are enabled (e.g. --enable-all).
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\06\01\04\00\12\00\0b" ;; code
  )
  "illegal opcode")
;; opcode 0x14 (call_ref, not in 2.0)
;; NOTE: wabt accepts this when function references are enabled (e.g. --enable-all).
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\06\01\04\00\14\00\0b" ;; code
  )
  "illegal opcode")
;; opcode 0x1d
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\05\01\03\00\1d\0b" ;; code
  )
  "illegal opcode")
;; opcode 0x27 (unused)
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\05\01\03\00\27\0b" ;; code
  )
  "illegal opcode")
;; opcode 0xc5 (after the sign-extension operators)
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\05\01\03\00\c5\0b" ;; code
  )
  "illegal opcode")
;; opcode 0xd3
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\05\01\03\00\d3\0b" ;; code
  )
  "illegal opcode")
;; opcode 0xff
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\05\01\03\00\ff\0b" ;; code
  )
  "illegal opcode")
;; prefixed opcode 0xfc 0x12
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\06\01\04\00\fc\12\0b" ;; code
  )
  "illegal opcode")
;; prefixed opcode 0xfc with a huge sub-opcode
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\0a\01\08\00\fc\ff\ff\ff\ff\07\0b" ;; code
  )
  "illegal opcode")
;; prefixed opcode 0xfe (threads, not in 2.0)
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\06\01\04\00\fe\03\0b" ;; code
  )
  "illegal opcode")
;; else without if (the body ends at the else, where an end is required)
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\05\01\03\00\05\0b" ;; code
  )
  "END opcode expected")
;; else inside a block
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\08\01\06\00\02\40\05\0b\0b" ;; code
  )
  "END opcode expected")
;; two else branches
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\0b\01\09\00\41\00\04\40\05\05\0b\0b" ;; code
  )
  "END opcode expected")
;; a body without its final end (last in the module)
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\04\01\02\00\01" ;; code
  )
  "unexpected end")
;; a block whose end is taken as the end of the body, leaving the body
;; without its own end (last in the module)
;; NOTE: wabt 1.0.32 does not report this as malformed.
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\06\01\04\00\02\40\0b" ;; code
  )
  "unexpected end")
;; a body cut short inside an immediate
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\04\01\02\00\41" ;; code
  )
  "unexpected end")
;; a body whose final end is followed by another end
;; NOTE: wabt 1.0.32 does not report this as malformed.
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\05\01\03\00\0b\0b" ;; code: end end
  )
  "section size mismatch")
;; a body whose size is smaller than its code
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\05\01\02\00\01\0b" ;; code: body size 2, but body is 3 bytes
  )
  "section size mismatch")
;; a global initializer without end
;; NOTE: wabt 1.0.32 accepts this module.
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\06\05\01\7f\00\41\00" ;; global init missing end
  )
  "unexpected end")
;; a global initializer ending in else
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\06\06\01\7f\00\41\00\05" ;; global init ends with else
    "\00\02\01\78" ;; custom
  )
  "END opcode expected")
;; memory.size with reserved byte 1
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\05\03\01\00\01" ;; memory
    "\0a\07\01\05\00\3f\01\1a\0b" ;; memory.size 1
  )
  "zero byte expected")
;; memory.grow with reserved byte 1
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\05\03\01\00\01" ;; memory
    "\0a\09\01\07\00\41\00\40\01\1a\0b" ;; memory.grow 1
  )
  "zero byte expected")
;; memory.fill with reserved byte 1
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\05\03\01\00\01" ;; memory
    "\0a\0d\01\0b\00\41\00\41\00\41\00\fc\0b\01\0b" ;; memory.fill 1
  )
  "zero byte expected")
;; memory.copy with reserved bytes 0 1
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\05\03\01\00\01" ;; memory
    "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\0a\00\01\0b" ;; memory.copy 0 1
  )
  "zero byte expected")
;; memory.init with reserved byte 1
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\05\03\01\00\01" ;; memory
    "\0c\01\01" ;; data count 1
    "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\08\00\01\0b" ;; memory.init 0 1
    "\0b\04\01\01\01\61" ;; one passive segment
  )
  "zero byte expected")
;; memarg alignment exponent 33
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\05\03\01\00\01" ;; memory
    "\0a\0a\01\08\00\41\00\28\21\00\1a\0b" ;; i32.load align=2^33
  )
  "malformed memop flags")
;; memarg alignment flag 0x40 (multi-memory, not in 2.0)
;; NOTE: wabt accepts this when multi-memory is enabled (e.g. --enable-all).
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type section: one type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\05\03\01\00\01" ;; memory
    "\0a\0b\01\09\00\41\00\28\42\00\00\1a\0b" ;; i32.load with flag 0x40
  )
  "malformed memop flags")
;; too many locals: two groups of 2^31
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\10\01\0e\02\80\80\80\80\08\7f\80\80\80\80\08\7e\0b" ;; code
  )
  "too many locals")
;; too many locals: 2^32-1 and 1
(assert_malformed
  (module binary
    "\00asm"
    "\01\00\00\00"
    "\01\04\01\60\00\00" ;; type [] -> []
    "\03\02\01\00" ;; function section: one function of type 0
    "\0a\0c\01\0a\02\ff\ff\ff\ff\0f\7f\01\7d\0b" ;; code
  )
  "too many locals")

;; ---------------------------------------------------------------------------
;; Well-formed binary modules (no assertion failure expected)
;; the smallest module
(module binary
  "\00asm"
  "\01\00\00\00")
;; custom sections before, between and after all other sections, with any payload
(module binary
  "\00asm"
  "\01\00\00\00"
  "\00\09\05\66\69\72\73\74\00\01\02" ;; custom
  "\01\04\01\60\00\00" ;; type section: one type [] -> []
  "\00\01\00" ;; custom with an empty name
  "\03\02\01\00" ;; function section: one function of type 0
  "\00\08\05\c3\a9\74\c3\a9\ff\ff" ;; custom with a UTF-8 name and invalid-UTF-8 payload
  "\0a\04\01\02\00\0b" ;; code section: one empty body
  "\00\05\04\6c\61\73\74" ;; custom at the end
)
;; a custom section that looks like a malformed section inside
(module binary
  "\00asm"
  "\01\00\00\00"
  "\00\0c\01\78\01\ff\ff\ff\ff\0f\00\61\73\6d" ;; custom
)
;; overlong but legal LEB128 encodings: section sizes, counts, indices,
;; i32/i64 constants, memarg fields, limits, local counts and labels
(module $Long binary
  "\00asm"
  "\01\00\00\00"
  "\01\90\80\80\80\00\83\80\80\80\00\60\00\01\7f\60\00\01\7e\60\00\00" ;; type section, size and count in 5 bytes
  "\03\15\85\80\80\80\00\80\80\80\80\00\81\80\00\00\80\00\81\80\80\80\00" ;; function section, count and indices overlong
  "\05\08\81\00\00\82\80\80\80\00" ;; memory section: min 2 written in 5 bytes
  "\07\2b\05\04\6e\65\67\31\00\80\80\80\80\00\03\62\69\67\00\81\00\04\73\69\7a\65\00\02\03\6f\6f\62\00\83\80\00\06\6d\69\6e\75\73\31\00\04" ;; exports with overlong indices
  "\0a\e6\80\80\80\00\05\0c\80\80\80\80\00\41\ff\ff\ff\ff\7f\0b\1e\01\82\80\80\80\00\7e\42\a3\82\80\80\80\80\80\80\80\00\21\81\80\80\80\00\20\81\80\80\00\0b\1e\00\3f\00\41\00\28\82\80\80\80\00\80\80\80\80\00\6a\02\7f\41\05\0c\80\80\80\80\00\0b\6a\0b\0b\00\41\00\28\02\ff\ff\ff\ff\0f\0b\0d\00\42\ff\ff\ff\ff\ff\ff\ff\ff\ff\7f\0b" ;; code section, size in 5 bytes
)
(assert_return (invoke $Long "neg1") (i32.const -1))
(assert_return (invoke $Long "big") (i64.const 0x123))
(assert_return (invoke $Long "size") (i32.const 7))
(assert_trap (invoke $Long "oob") "out of bounds memory access")
(assert_return (invoke $Long "minus1") (i64.const -1))

;; a data count section with memory.init and data.drop
(module $DC binary
  "\00asm"
  "\01\00\00\00"
  "\01\04\01\60\00\00" ;; type section: one type [] -> []
  "\03\02\01\00" ;; one function
  "\05\03\01\00\01" ;; memory 1
  "\07\0e\02\04\69\6e\69\74\00\00\03\6d\65\6d\02\00" ;; exports
  "\0c\01\02" ;; data count 2
  "\0a\11\01\0f\00\41\04\41\01\41\02\fc\08\01\00\fc\09\00\0b" ;; memory.init 1 (dst 4, src 1, len 2); data.drop 0
  "\0b\0c\02\00\41\00\0b\01\41\01\03\78\79\7a" ;; an active and a passive segment
)
(register "dc" $DC)
(module $DCcheck (import "dc" "mem" (memory 1)) (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))
(assert_return (invoke $DC "init"))
(assert_return (invoke $DCcheck "load" (i32.const 0)) (i32.const 65))
(assert_return (invoke $DCcheck "load" (i32.const 4)) (i32.const 121))
(assert_return (invoke $DCcheck "load" (i32.const 5)) (i32.const 122))

;; every element segment encoding (flags 0 through 7)
(module $Elems binary
  "\00asm"
  "\01\00\00\00"
  "\01\05\01\60\00\01\7f" ;; type [] -> [i32]
  "\03\02\01\00" ;; one function
  "\04\04\01\70\00\08" ;; table 8 funcref
  "\07\0b\02\03\74\61\62\01\00\01\66\00\00" ;; exports
  "\09\38\08\00\41\00\0b\01\00\01\00\01\00\02\00\41\01\0b\00\01\00\03\00\01\00\04\41\02\0b\02\d2\00\0b\d0\70\0b\05\70\01\d2\00\0b\06\00\41\05\0b\70\01\d2\00\0b\07\70\01\d2\00\0b" ;; element segments with flags 0..7
  "\0a\06\01\04\00\41\2a\0b" ;; the function returns 42
)
(register "elems" $Elems)
(module $ElemsCheck
  (import "elems" "tab" (table 8 funcref))
  (type $t (func (result i32)))
  (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
  (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get 0 (local.get 0)))))
;; slots: 0 <- flags 0, 1 <- flags 2, 2..3 <- flags 4 (ref.func, ref.null), 5 <- flags 6
(assert_return (invoke $ElemsCheck "call" (i32.const 0)) (i32.const 42))
(assert_return (invoke $ElemsCheck "call" (i32.const 1)) (i32.const 42))
(assert_return (invoke $ElemsCheck "call" (i32.const 2)) (i32.const 42))
(assert_return (invoke $ElemsCheck "call" (i32.const 5)) (i32.const 42))
(assert_return (invoke $ElemsCheck "is_null" (i32.const 3)) (i32.const 1))
(assert_return (invoke $ElemsCheck "is_null" (i32.const 4)) (i32.const 1))
(assert_return (invoke $ElemsCheck "is_null" (i32.const 6)) (i32.const 1))
(assert_return (invoke $ElemsCheck "is_null" (i32.const 7)) (i32.const 1))
(assert_trap (invoke $ElemsCheck "call" (i32.const 3)) "uninitialized element")
