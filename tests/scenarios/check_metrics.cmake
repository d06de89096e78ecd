# SPDX-License-Identifier: Apache-2.0
# /metrics of a scenario, checked by Prometheus' own linter (cmake -P):
#   -DRENDER=<pgvigil_render_metrics> -DSCENARIO=<dir>  render the scenario to OUT and compare it
#                                                       with <dir>/metrics.prom (optional)
#   -DPROMTOOL=<promtool> -DOUT=<file>                  then `promtool check metrics` on OUT
# Fails when rendering fails, when the golden file differs, or when promtool reports anything.
if(NOT PROMTOOL)
  message(FATAL_ERROR "promtool not found: scripts/install-deps.sh installs Debian's prometheus")
endif()
set(render_failed FALSE)
if(RENDER)
  execute_process(COMMAND "${RENDER}" "${SCENARIO}" "${OUT}" RESULT_VARIABLE render_rc)
  if(NOT render_rc EQUAL 0)
    set(render_failed TRUE)
  endif()
endif()
if(NOT EXISTS "${OUT}")
  message(FATAL_ERROR "${OUT} was not written")
endif()
execute_process(COMMAND "${PROMTOOL}" check metrics
                INPUT_FILE "${OUT}"
                RESULT_VARIABLE promtool_rc
                OUTPUT_VARIABLE promtool_out
                ERROR_VARIABLE promtool_err)
if(NOT promtool_rc EQUAL 0 OR NOT "${promtool_out}${promtool_err}" STREQUAL "")
  message(FATAL_ERROR "promtool check metrics ${OUT} (exit ${promtool_rc}):\n"
                      "${promtool_out}${promtool_err}")
endif()
if(render_failed)
  message(FATAL_ERROR "rendering ${SCENARIO} failed or differs from its metrics.prom (above)")
endif()
message(STATUS "promtool check metrics: no problem in ${OUT}")
