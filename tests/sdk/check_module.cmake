# check_module.cmake — checks a built k8s-wasm module with wasm-objdump (run with cmake -P):
#   -DOBJDUMP=wasm-objdump -DMODULE=file.wasm -DEXPORTS=validate[,authn...] [-DMAX_BYTES=n]
# It must export every function in EXPORTS and its memory; export neither _start nor
# _initialize (the host calls the exports directly and runs no start-up code); import only
# from wasi_snapshot_preview1; and be at most MAX_BYTES long (default 256 KiB). Prints what
# it found, so the test log records each module's size, exports and imports.
cmake_minimum_required(VERSION 3.20) # IN_LIST
if(NOT OBJDUMP OR NOT MODULE OR NOT EXPORTS)
  message(FATAL_ERROR "usage: cmake -DOBJDUMP=... -DMODULE=... -DEXPORTS=... -P check_module.cmake")
endif()
if(NOT EXISTS ${MODULE})
  message(FATAL_ERROR "${MODULE} does not exist: build the project first")
endif()
if(NOT MAX_BYTES)
  set(MAX_BYTES 262144)
endif()

execute_process(COMMAND ${OBJDUMP} -x ${MODULE} OUTPUT_VARIABLE dump ERROR_VARIABLE errors
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "wasm-objdump failed on ${MODULE}: ${errors}")
endif()

# Export lines look like ` - func[9] <validate.command_export> -> "validate"`, import lines
# like ` - func[0] sig=2 <fd_read> <- wasi_snapshot_preview1.fd_read`.
string(REGEX MATCHALL "-> \"[^\"]*\"" export_lines "${dump}")
set(exported)
foreach(line IN LISTS export_lines)
  string(REGEX REPLACE "-> \"([^\"]*)\"" "\\1" name "${line}")
  list(APPEND exported ${name})
endforeach()
string(REGEX MATCHALL "<- [^ \n]+" import_lines "${dump}")
set(imported)
foreach(line IN LISTS import_lines)
  string(REGEX REPLACE "<- " "" name "${line}")
  list(APPEND imported ${name})
endforeach()
file(SIZE ${MODULE} size)
message("${MODULE}: ${size} bytes\n  exports: ${exported}\n  imports: ${imported}")

set(problems)
string(REPLACE "," ";" wanted "${EXPORTS}")
foreach(name IN LISTS wanted ITEMS memory)
  if(NOT name IN_LIST exported)
    list(APPEND problems "does not export \"${name}\"")
  endif()
endforeach()
foreach(name _start _initialize)
  if(name IN_LIST exported)
    list(APPEND problems "exports ${name}: the host would not run it")
  endif()
endforeach()
foreach(name IN LISTS imported)
  if(NOT name MATCHES "^wasi_snapshot_preview1\\.")
    list(APPEND problems "imports ${name}, which is not WASI preview 1")
  endif()
endforeach()
if(size GREATER MAX_BYTES)
  list(APPEND problems "is ${size} bytes, more than ${MAX_BYTES}")
endif()
if(problems)
  string(REPLACE ";" "\n  " problems "${problems}")
  message(FATAL_ERROR "${MODULE}:\n  ${problems}")
endif()
