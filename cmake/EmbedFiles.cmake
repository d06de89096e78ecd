# SPDX-License-Identifier: Apache-2.0
# pgvigil_embed_files(OUTPUT <file.cc> NAMESPACE <ns> FUNCTION <name> FILES <files...>)
#
# Generates a C++ source defining
#   std::span<const pgvigil::common::EmbeddedFile> <ns>::<name>();
# with the contents of FILES (keyed by file name), so SQL stays plain .sql files in the tree
# and the binary needs nothing beside it at run time. The generated file is never committed.
set(PGVIGIL_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/embed_files.cmake")

function(pgvigil_embed_files)
  cmake_parse_arguments(ARG "" "OUTPUT;NAMESPACE;FUNCTION" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT "${ARG_OUTPUT}"
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} -DNAMESPACE=${ARG_NAMESPACE}
            -DFUNCTION=${ARG_FUNCTION} "-DFILES=${ARG_FILES}" -P "${PGVIGIL_EMBED_SCRIPT}"
    DEPENDS ${ARG_FILES} "${PGVIGIL_EMBED_SCRIPT}"
    COMMENT "Embedding ${ARG_FUNCTION} into ${ARG_OUTPUT}"
    VERBATIM)
endfunction()
