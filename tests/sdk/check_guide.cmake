# check_guide.cmake — proves that docs/module-authors.md tells the truth: the guide's example
# module, built with the guide's own command (run from a directory laid out like the source
# tree), is a valid k8s-wasm module (check_module.cmake). Run with cmake -P:
#   -DGUIDE=docs/module-authors.md -DSOURCE_DIR=<source tree> -DWORK=<scratch directory>
#   -DOBJDUMP=wasm-objdump -DCHECK_MODULE=check_module.cmake [-DCLANG=clang-14]
cmake_minimum_required(VERSION 3.20)
file(READ ${GUIDE} guide)
string(REGEX MATCH "<!-- guide-example[^\n]*-->\n```c\n(.*)```\n<!-- end guide-example -->"
       found "${guide}")
if(NOT found)
  message(FATAL_ERROR "${GUIDE}: no guide-example block")
endif()
set(example "${CMAKE_MATCH_1}")
string(REGEX MATCH "### The one command that builds it[^`]*```sh\n(clang[^`]*)```" found "${guide}")
if(NOT found)
  message(FATAL_ERROR "${GUIDE}: no build command after \"The one command that builds it\"")
endif()
string(REPLACE "\\\n" " " command "${CMAKE_MATCH_1}")
string(STRIP "${command}" command)
# The guide says "clang"; a machine whose wasm-capable clang has another name (clang-14) runs
# the same command with that one.
if(CLANG)
  string(REGEX REPLACE "^clang " "${CLANG} " command "${command}")
endif()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/no-latest.c "${example}")
file(CREATE_LINK ${SOURCE_DIR}/sdk ${WORK}/sdk SYMBOLIC)
message("running in ${WORK}: ${command}")
execute_process(COMMAND sh -c "${command}" WORKING_DIRECTORY ${WORK} RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the guide's build command failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -DOBJDUMP=${OBJDUMP} -DMODULE=${WORK}/no-latest.wasm
                        -DEXPORTS=validate -P ${CHECK_MODULE}
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the guide's module is not a valid k8s-wasm module")
endif()
