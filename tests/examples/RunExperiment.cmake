# Runs a seed experiment program on a few examples and checks what it
# printed and wrote: it must exit with 0, print something matching each
# regular expression of EXPECT (separated by @@, each matched on its own),
# and leave each file of FILES (separated by spaces) non-empty.
#
#   cmake -DPROGRAM=path/to/seed_tagger "-DARGS=--epochs=1 --examples=64"
#         "-DEXPECT=re1@@re2" "-DFILES=out/a.svg" -P RunExperiment.cmake
separate_arguments(args UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${PROGRAM} ${args} RESULT_VARIABLE result OUTPUT_VARIABLE output
                ERROR_VARIABLE errors)
message("${output}${errors}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} exited with ${result}")
endif()
string(REPLACE "@@" ";" expected_list "${EXPECT}")
foreach(expected IN LISTS expected_list)
  if(NOT output MATCHES "${expected}")
    message(FATAL_ERROR "${PROGRAM}: nothing in the output matches '${expected}'")
  endif()
endforeach()
separate_arguments(files UNIX_COMMAND "${FILES}")
foreach(file IN LISTS files)
  if(EXISTS ${file})
    file(SIZE ${file} size)
  endif()
  if(NOT EXISTS ${file} OR size EQUAL 0)
    message(FATAL_ERROR "${PROGRAM}: ${file} was not written")
  endif()
endforeach()
