# wg_command_test(NAME name LABEL label EXIT status COMMAND cmd args...
#                 [STDOUT regex...] [STDOUT_NOT regex...] [STDERR regex...]
#                 [STDIN text] [WORKDIR dir] [FILE name [FILE_MATCH regex | FILE_ABSENT]]
#                 [MAX_SECONDS n] [FIXTURES fixture...])
# One ctest test that runs a command through run_check.cmake (see there for what each
# expectation means), labelled `label`, with a timeout of 120 s; FIXTURES are the ctest
# fixtures it requires. The expectations go into a generated file, checks/NAME.cmake in the
# calling directory's build directory, as bracket arguments, so they need no escaping beyond
# CMake's own: write \\( for a literal parenthesis, and avoid ';' and unbalanced '['.
set(WG_RUN_CHECK_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/run_check.cmake)

function(wg_command_test)
  cmake_parse_arguments(T "FILE_ABSENT" "NAME;LABEL;EXIT;STDIN;WORKDIR;FILE;FILE_MATCH;MAX_SECONDS"
                        "COMMAND;STDOUT;STDOUT_NOT;STDERR;FIXTURES" ${ARGN})
  if(NOT T_NAME OR NOT T_LABEL OR "${T_EXIT}" STREQUAL "" OR NOT T_COMMAND)
    message(FATAL_ERROR "wg_command_test needs NAME, LABEL, EXIT and COMMAND")
  endif()
  set(checks "set(EXPECT_EXIT ${T_EXIT})\n")
  foreach(kind STDOUT STDOUT_NOT STDERR)
    set(var ${kind}_MATCH)
    if(kind STREQUAL "STDOUT_NOT")
      set(var STDOUT_REJECT)
    endif()
    string(APPEND checks "set(${var})\n")
    foreach(re IN LISTS T_${kind})
      string(APPEND checks "list(APPEND ${var} [==[${re}]==])\n")
    endforeach()
  endforeach()
  if(DEFINED T_STDIN)
    string(APPEND checks "set(STDIN_TEXT [==[${T_STDIN}]==])\n")
  endif()
  foreach(var WORKDIR FILE_MATCH MAX_SECONDS)
    if(T_${var})
      string(APPEND checks "set(${var} [==[${T_${var}}]==])\n")
    endif()
  endforeach()
  if(T_FILE)
    string(APPEND checks "set(FILE_NAME [==[${T_FILE}]==])\n")
  endif()
  if(T_FILE_ABSENT)
    string(APPEND checks "set(FILE_ABSENT TRUE)\n")
  endif()
  set(checks_file ${CMAKE_CURRENT_BINARY_DIR}/checks/${T_NAME}.cmake)
  file(WRITE ${checks_file} "${checks}")
  add_test(NAME ${T_NAME}
           COMMAND ${CMAKE_COMMAND} -DCHECKS=${checks_file} -P ${WG_RUN_CHECK_SCRIPT}
                   -- ${T_COMMAND})
  set_tests_properties(${T_NAME} PROPERTIES LABELS ${T_LABEL} TIMEOUT 120)
  if(T_FIXTURES)
    set_tests_properties(${T_NAME} PROPERTIES FIXTURES_REQUIRED "${T_FIXTURES}")
  endif()
endfunction()
