# run_check.cmake — runs one command and checks its exit status, its output and what it left
# in a work directory (the `wasmgate` command-line tests of tests/cli and tests/sandbox).
#
# Usage (from add_test; see wg_command_test in command_test.cmake):
#   cmake -DCHECKS=FILE -P run_check.cmake -- COMMAND [ARGS...]
# FILE is a CMake script that sets:
#   EXPECT_EXIT      the exact exit status the command must have
#   STDOUT_MATCH     regexes the standard output must match (each one)
#   STDOUT_REJECT    regexes the standard output must not match
#   STDERR_MATCH     regexes the standard error must match
#   STDIN_TEXT       text given to the command on its standard input (else none)
#   WORKDIR          if set, made afresh before the run, holding hello.txt
#   FILE_NAME        a file under WORKDIR to check after the run ...
#   FILE_MATCH       ... against this regex, or
#   FILE_ABSENT      ... TRUE: it must not exist
#   MAX_SECONDS      the command must finish within this many seconds
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

if(WORKDIR)
  file(REMOVE_RECURSE "${WORKDIR}")
  file(MAKE_DIRECTORY "${WORKDIR}")
  file(WRITE "${WORKDIR}/hello.txt" "hello from the host\n")
endif()
set(input_args)
if(DEFINED STDIN_TEXT)
  set(input_file "${CHECKS}.stdin")
  file(WRITE "${input_file}" "${STDIN_TEXT}")
  set(input_args INPUT_FILE "${input_file}")
endif()
set(timeout_args)
if(MAX_SECONDS)
  set(timeout_args TIMEOUT ${MAX_SECONDS})
endif()

execute_process(COMMAND ${command}
                ${input_args}
                ${timeout_args}
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
if(FILE_NAME)
  set(path "${WORKDIR}/${FILE_NAME}")
  if(FILE_ABSENT)
    if(EXISTS "${path}")
      string(APPEND problems "  ${FILE_NAME} exists but must not\n")
    endif()
  elseif(NOT EXISTS "${path}")
    string(APPEND problems "  ${FILE_NAME} was not created\n")
  else()
    file(READ "${path}" content)
    if(NOT content MATCHES "${FILE_MATCH}")
      string(APPEND problems "  ${FILE_NAME} does not match: ${FILE_MATCH}\n")
    endif()
  endif()
endif()
if("${out}${err}" MATCHES "(Address|Leak|Undefined)Sanitizer|runtime error:")
  string(APPEND problems "  a sanitizer reported an error\n")
endif()

if(problems)
  string(REPLACE ";" " " shown "${command}")
  message(FATAL_ERROR "check failed for: ${shown}\n${problems}"
                      "---- stdout ----\n${out}\n---- stderr ----\n${err}")
endif()
