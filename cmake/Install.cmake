# `cmake --install`: the rnnc tool, the libraries and headers a generator
# program needs, the AOT archives model libraries link, and the package
# config (find_package(rnnc), rnnc_add_model()).
include(CMakePackageConfigHelpers)

set(RNNC_INSTALLED_LIBRARIES rnnc_ir rnnc_runtime rnnc_frontend rnnc_passes rnnc_llvm rnnc_aot
    rnnc_aot_runtime rnnc_aot_onednn)
install(TARGETS rnnc ${RNNC_INSTALLED_LIBRARIES}
  EXPORT rnncTargets
  RUNTIME DESTINATION bin
  ARCHIVE DESTINATION lib)
install(DIRECTORY ir frontend runtime aot passes
  DESTINATION include/rnnc
  FILES_MATCHING PATTERN "*.h" PATTERN "*.def")
install(EXPORT rnncTargets NAMESPACE rnnc:: DESTINATION lib/cmake/rnnc)

configure_package_config_file(cmake/rnncConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/rnncConfig.cmake INSTALL_DESTINATION lib/cmake/rnnc)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/rnncConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/rnncConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/rnncConfigVersion.cmake cmake/rnncModel.cmake
  DESTINATION lib/cmake/rnnc)
