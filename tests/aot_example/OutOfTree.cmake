# The out-of-tree example, as a user builds it: installs rnnc into a prefix
# under the build tree, configures and builds examples/app there as a
# project of its own (find_package(rnnc), rnnc_add_model), and checks the
# application's output against the interpreter.
#
#   cmake -DRNNC_BUILD_DIR=... -DRNNC_SOURCE_DIR=... -DGENERATOR=Ninja
#         -DCHECK=path/to/aot_example_check -P OutOfTree.cmake
set(work ${RNNC_BUILD_DIR}/aot-example)
file(REMOVE_RECURSE ${work})

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "out-of-tree example: ${what} failed (${result})")
  endif()
endfunction()

step("installing rnnc" ${CMAKE_COMMAND} --install ${RNNC_BUILD_DIR} --prefix ${work}/prefix)
step("configuring examples/app" ${CMAKE_COMMAND} -S ${RNNC_SOURCE_DIR}/examples/app
     -B ${work}/build -G ${GENERATOR} -DCMAKE_BUILD_TYPE=Release
     -DCMAKE_PREFIX_PATH=${work}/prefix)
step("building examples/app" ${CMAKE_COMMAND} --build ${work}/build)
step("checking classifier_app" ${CHECK} ${work}/build/classifier_app)
