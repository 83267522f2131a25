# One ctest entry per document whose curl examples tests/runtime/docs_examples_test.cpp runs:
# README.md and every docs/*.md. CONFIGURE_DEPENDS re-globs on each build, so a new page is
# picked up without editing anything here. The Catch test exists only when DOC_EXAMPLES_FILE is
# set (a path, or `all` for every document in turn), so test discovery does not run it again.
file(GLOB STEWARD_DOC_PAGES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
foreach(doc ${PROJECT_SOURCE_DIR}/README.md ${STEWARD_DOC_PAGES})
  get_filename_component(doc_name ${doc} NAME)
  add_test(NAME "docs:${doc_name}" COMMAND runtime_tests "[doc-examples]")
  set_tests_properties("docs:${doc_name}" PROPERTIES ENVIRONMENT "DOC_EXAMPLES_FILE=${doc}" TIMEOUT 120 LABELS docs)
endforeach()
