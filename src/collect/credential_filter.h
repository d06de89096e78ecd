// SPDX-License-Identifier: Apache-2.0
// Statement texts can carry credentials: PostgreSQL keeps utility statements word for word
// (ALTER ROLE … PASSWORD '…', CREATE USER MAPPING … OPTIONS (password '…'), CREATE
// SUBSCRIPTION … CONNECTION '…', COPY … PROGRAM '…'). Snapshots are printed, stored and
// served, so such a text is replaced before it leaves the collector. The SQL of
// statement_texts applies the same rule on the server, so those texts never cross the wire.
#pragma once

#include <string>
#include <string_view>

namespace pgvigil::collect {

inline constexpr std::string_view kWithheldText = "<withheld by pgvigil: may contain a credential>";

// True when `text` mentions password, passwd, secret, user mapping, connection, options (…)
// or program, case-insensitively (connection and program as whole words).
bool MayHoldCredential(std::string_view text);

// `text`, or kWithheldText when it may hold a credential.
std::string WithholdCredentials(std::string_view text);

}  // namespace pgvigil::collect
