# wg_wasm_test_modules(TARGET target OUTPUT_DIR dir [WATS file.wat...] [PROGRAMS file.c...]
#                      [PROGRAM_FLAGS flag...] [REACTOR_FLAGS flag...])
# The WebAssembly modules a layer's tests load, built at build time into OUTPUT_DIR/<stem>.wasm:
# WAT modules with wat2wasm, C programs with clang for wasm32-wasi (Debian's wasi-libc) at -O2
# with warnings as errors and PROGRAM_FLAGS, or REACTOR_FLAGS for a program named reactor_*.c.
# TARGET builds them all with the default build; a test executable that loads them depends
# on it.
function(wg_wasm_test_modules)
  cmake_parse_arguments(W "" "TARGET;OUTPUT_DIR" "WATS;PROGRAMS;PROGRAM_FLAGS;REACTOR_FLAGS"
                        ${ARGN})
  file(MAKE_DIRECTORY ${W_OUTPUT_DIR})
  set(outputs)
  if(W_PROGRAMS)
    find_program(WG_TEST_CLANG NAMES clang clang-14 REQUIRED)
  endif()
  foreach(src IN LISTS W_PROGRAMS)
    get_filename_component(stem ${src} NAME_WE)
    file(RELATIVE_PATH shown ${PROJECT_SOURCE_DIR} ${src})
    set(flags ${W_PROGRAM_FLAGS})
    if(stem MATCHES "^reactor_")
      set(flags ${W_REACTOR_FLAGS})
    endif()
    add_custom_command(OUTPUT ${W_OUTPUT_DIR}/${stem}.wasm
                       COMMAND ${WG_TEST_CLANG} --target=wasm32-wasi -O2 -Wall -Wextra -Werror
                               ${flags} ${src} -o ${W_OUTPUT_DIR}/${stem}.wasm
                       DEPENDS ${src}
                       COMMENT "clang --target=wasm32-wasi ${shown}"
                       VERBATIM)
    list(APPEND outputs ${W_OUTPUT_DIR}/${stem}.wasm)
  endforeach()
  if(W_WATS)
    find_program(WG_TEST_WAT2WASM wat2wasm REQUIRED)
  endif()
  foreach(wat IN LISTS W_WATS)
    get_filename_component(stem ${wat} NAME_WE)
    file(RELATIVE_PATH shown ${PROJECT_SOURCE_DIR} ${wat})
    add_custom_command(OUTPUT ${W_OUTPUT_DIR}/${stem}.wasm
                       COMMAND ${WG_TEST_WAT2WASM} ${wat} -o ${W_OUTPUT_DIR}/${stem}.wasm
                       DEPENDS ${wat}
                       COMMENT "wat2wasm ${shown}"
                       VERBATIM)
    list(APPEND outputs ${W_OUTPUT_DIR}/${stem}.wasm)
  endforeach()
  add_custom_target(${W_TARGET} ALL DEPENDS ${outputs})
endfunction()
