// SPDX-License-Identifier: Apache-2.0
// Statement texts as findings show them: on one line and cut to a readable length. The texts
// arrive normalised and credential-filtered by the collectors; this only shapes them. Pure,
// thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pgvigil::analysis {

// `text` with every run of white space (newlines, tabs) made one space, trimmed, and cut to at
// most `max_bytes` bytes on a UTF-8 character boundary with "…" appended when cut.
std::string OneLineQuery(std::string_view text, std::size_t max_bytes = 120);

}  // namespace pgvigil::analysis
