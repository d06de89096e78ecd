# SPDX-License-Identifier: Apache-2.0
# pgvigil_embed_dashboard(OUTPUT <file.cc> WEB_DIR <web/>)
#
# The dashboard's files (web/*.html|js|css and the pinned uPlot files from web/node_modules)
# become a generated C++ source defining
#   std::span<const pgvigil::http::DashboardAsset> pgvigil::http::DashboardAssets();
# each with its bytes, its gzip (-9 -n, so the build is reproducible) and an ETag (SHA-256 of the
# bytes). The daemon then needs nothing beside its binary and no CDN. `npm ci` runs at configure
# time when web/node_modules is missing, so a fresh checkout builds with only node/npm installed.
set(PGVIGIL_DASHBOARD_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/embed_dashboard.cmake")

function(pgvigil_embed_dashboard)
  cmake_parse_arguments(ARG "" "OUTPUT;WEB_DIR" "" ${ARGN})
  set(uplot_dir "${ARG_WEB_DIR}/node_modules/uplot/dist")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               "${ARG_WEB_DIR}/package-lock.json")
  if(NOT EXISTS "${uplot_dir}/uPlot.esm.js" OR
     "${ARG_WEB_DIR}/package-lock.json" IS_NEWER_THAN "${ARG_WEB_DIR}/node_modules/.package-lock.json")
    find_program(PGVIGIL_NPM npm REQUIRED)
    message(STATUS "Installing the dashboard's npm packages (npm ci in ${ARG_WEB_DIR})")
    execute_process(COMMAND "${PGVIGIL_NPM}" ci --no-audit --no-fund
                    WORKING_DIRECTORY "${ARG_WEB_DIR}" RESULT_VARIABLE npm_result)
    if(NOT npm_result EQUAL 0)
      message(FATAL_ERROR "npm ci in ${ARG_WEB_DIR} failed (${npm_result})")
    endif()
  endif()
  file(GLOB own CONFIGURE_DEPENDS "${ARG_WEB_DIR}/*.html" "${ARG_WEB_DIR}/*.js"
       "${ARG_WEB_DIR}/*.css" "${ARG_WEB_DIR}/*.svg")
  set(files ${own} "${uplot_dir}/uPlot.esm.js" "${uplot_dir}/uPlot.min.css")
  find_program(PGVIGIL_GZIP gzip REQUIRED)
  add_custom_command(
    OUTPUT "${ARG_OUTPUT}"
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} -DGZIP=${PGVIGIL_GZIP} "-DFILES=${files}"
            -P "${PGVIGIL_DASHBOARD_SCRIPT}"
    DEPENDS ${files} "${PGVIGIL_DASHBOARD_SCRIPT}"
    COMMENT "Embedding the dashboard (${ARG_WEB_DIR}) into ${ARG_OUTPUT}"
    VERBATIM)
endfunction()
