// SPDX-License-Identifier: Apache-2.0
#include "http/rendered_bodies.h"

#include <gtest/gtest.h>

namespace pgvigil::http {
namespace {

std::shared_ptr<const model::TargetState> State(std::string name, std::uint64_t sequence) {
  auto s = std::make_shared<model::TargetState>();
  s->name = std::move(name);
  s->sequence = sequence;
  return s;
}

TEST(RenderedBodies, RendersOncePerStateAndViewAndAgainAfterAChange) {
  RenderedBodies bodies;
  int renders = 0;
  auto render = [&](const model::TargetState& s) {
    ++renders;
    return s.name + "@" + std::to_string(s.sequence);
  };
  const auto a1 = State("a", 1);
  EXPECT_EQ(*bodies.Get(a1, 0, render), "a@1");
  EXPECT_EQ(*bodies.Get(a1, 0, render), "a@1");
  EXPECT_EQ(renders, 1);
  EXPECT_EQ(*bodies.Get(a1, 1, render), "a@1");  // another view: its own rendering
  EXPECT_EQ(renders, 2);

  const auto a2 = State("a", 2);  // the state changed: never the old body
  EXPECT_EQ(*bodies.Get(a2, 0, render), "a@2");
  EXPECT_EQ(renders, 3);
  // A different object with the same name and sequence (a reload that re-created the target)
  // is rendered again too: only the very object a body came from reuses it.
  const auto a2_again = State("a", 2);
  bodies.Get(a2_again, 0, render);
  EXPECT_EQ(renders, 4);
  EXPECT_EQ(*bodies.Get(State("b", 2), 0, render), "b@2");
  EXPECT_EQ(bodies.hits(), 1u);
  EXPECT_EQ(bodies.misses(), 5u);
}

}  // namespace
}  // namespace pgvigil::http
