# run_check.cmake — runs one command and checks its exit status and output.
#
# Usage (from add_test; see wg_cli_test in CMakeLists.txt):
#   cmake -DCHECKS=FILE -P run_check.cmake -- COMMAND [ARGS...]
# FILE is a CMake script that sets:
#   EXPECT_EXIT     the exact exit status the command must have
#   STDOUT_MATCH    regexes the standard output must match (each one)
#   STDOUT_REJECT   regexes the standard output must not match
#   STDERR_MATCH    regexes the standard error must match
#
# Whatever the expectations, a sanitizer report fails the check: ASan and
# UBSan exit with status 1, which would otherwise pass for an expected
# "script failed" status.

set(command)
set(after_separator FALSE)
math(EXPR last_arg "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last_arg})
  if(after_separator)
    list(APPEND command "${CMAKE_ARGV${i}}")
  elseif("${CMAKE_ARGV${i}}" STREQUAL "--")
    set(after_separator TRUE)
  endif()
endforeach()
if(NOT command)
  message(FATAL_ERROR "run_check.cmake: no command after '--'")
endif()
if(NOT DEFINED CHECKS OR NOT EXISTS "${CHECKS}")
  message(FATAL_ERROR "run_check.cmake: -DCHECKS=FILE is missing or does not exist: '${CHECKS}'")
endif()
include("${CHECKS}")

execute_process(COMMAND ${command}
                RESULT_VARIABLE status
                OUTPUT_VARIABLE out
                ERROR_VARIABLE err)

set(problems "")
if(NOT "${status}" STREQUAL "${EXPECT_EXIT}")
  string(APPEND problems "  exit status: expected ${EXPECT_EXIT}, got '${status}'\n")
endif()
foreach(re IN LISTS STDOUT_MATCH)
  if(NOT out MATCHES "${re}")
    string(APPEND problems "  stdout does not match: ${re}\n")
  endif()
endforeach()
foreach(re IN LISTS STDOUT_REJECT)
  if(out MATCHES "${re}")
    string(APPEND problems "  stdout matches what it must not: ${re}\n")
  endif()
endforeach()
foreach(re IN LISTS STDERR_MATCH)
  if(NOT err MATCHES "${re}")
    string(APPEND problems "  stderr does not match: ${re}\n")
  endif()
endforeach()
if("${out}${err}" MATCHES "(Address|Leak|Undefined)Sanitizer|runtime error:")
  string(APPEND problems "  a sanitizer reported an error\n")
endif()

if(problems)
  string(REPLACE ";" " " shown "${command}")
  message(FATAL_ERROR "check failed for: ${shown}\n${problems}"
                      "---- stdout ----\n${out}\n---- stderr ----\n${err}")
endif()
