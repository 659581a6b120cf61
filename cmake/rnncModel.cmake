# rnnc_add_model(NAME GENERATOR source.cpp [SOURCES ...]
#                [INCLUDE_DIRECTORIES ...] [LINK_LIBRARIES ...])
#
# In the spirit of Halide's add_halide_library: builds the generator program
# from `source.cpp` (and SOURCES) against rnnc::rnnc_aot, runs it at build
# time as
#
#   <generator> <binary dir>/NAME/libNAME.so <binary dir>/NAME/NAME.h
#
# and gives a target NAME to link: the library, with the header's directory
# as its include directory. The generator builds a model with the DSL and
# writes both files, e.g. with model.CompileToSharedLibrary(argv[1], argv[2]).
# Works in rnnc's own tree and after find_package(rnnc).
function(rnnc_add_model name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "GENERATOR"
                        "SOURCES;INCLUDE_DIRECTORIES;LINK_LIBRARIES")
  if(NOT ARG_GENERATOR)
    message(FATAL_ERROR "rnnc_add_model(${name}): GENERATOR source.cpp is required")
  endif()
  set(generator ${name}.generator)
  add_executable(${generator} ${ARG_GENERATOR} ${ARG_SOURCES})
  target_compile_features(${generator} PRIVATE cxx_std_20)
  target_include_directories(${generator} PRIVATE ${ARG_INCLUDE_DIRECTORIES})
  target_link_libraries(${generator} PRIVATE rnnc::rnnc_aot ${ARG_LINK_LIBRARIES})

  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${name})
  set(library ${dir}/lib${name}.so)
  set(header ${dir}/${name}.h)
  # The imported target's include directory must exist when CMake checks it.
  file(MAKE_DIRECTORY ${dir})
  add_custom_command(
    OUTPUT ${library} ${header}
    COMMAND ${CMAKE_COMMAND} -E env
            RNNC_AOT_RUNTIME_DIR=$<TARGET_FILE_DIR:rnnc::rnnc_aot_runtime>
            RNNC_CXX=${CMAKE_CXX_COMPILER}
            $<TARGET_FILE:${generator}> ${library} ${header}
    DEPENDS ${generator} $<TARGET_FILE:rnnc::rnnc_aot_runtime>
    COMMENT "Generating model library ${name} (lib${name}.so, ${name}.h)"
    VERBATIM)
  add_custom_target(${name}.generate DEPENDS ${library} ${header})

  add_library(${name} SHARED IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES
    IMPORTED_LOCATION ${library}
    IMPORTED_SONAME lib${name}.so
    INTERFACE_INCLUDE_DIRECTORIES ${dir})
  add_dependencies(${name} ${name}.generate)
endfunction()
