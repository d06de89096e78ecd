// SPDX-License-Identifier: Apache-2.0
// FindingList holds a report's findings, each one immutable and shared. The daemon re-runs only
// the fast checks every second and keeps the other findings (about a thousand on a large
// database) as they were: a new report shares those with the one before, where copying them
// and freeing the old copies was a third of the daemon's CPU (docs/benchmarks.md).
//
// Read it like a std::vector<Finding> (range-for, size, operator[] give const Finding&). A
// finding in the list never changes; to amend findings, Copy() them out, change the copies and
// build a new list.
#pragma once

#include <boost/iterator/indirect_iterator.hpp>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

#include "model/finding.h"

namespace pgvigil::model {

class FindingList {
 public:
  using Ptr = std::shared_ptr<const Finding>;
  using value_type = Finding;
  using size_type = std::size_t;
  using const_iterator = boost::indirect_iterator<std::vector<Ptr>::const_iterator>;
  using iterator = const_iterator;

  FindingList() = default;
  FindingList(std::vector<Finding> findings) {  // NOLINT(google-explicit-constructor): as a vector
    items_.reserve(findings.size());
    for (Finding& f : findings) items_.push_back(std::make_shared<const Finding>(std::move(f)));
  }
  FindingList(std::initializer_list<Finding> init) {
    items_.reserve(init.size());
    for (const Finding& f : init) items_.push_back(std::make_shared<const Finding>(f));
  }
  explicit FindingList(std::vector<Ptr> shared) : items_(std::move(shared)) {}

  const_iterator begin() const { return const_iterator(items_.begin()); }
  const_iterator end() const { return const_iterator(items_.end()); }
  size_type size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const Finding& operator[](size_type i) const { return *items_[i]; }
  const Finding& front() const { return *items_.front(); }
  const Finding& back() const { return *items_.back(); }

  void reserve(size_type n) { items_.reserve(n); }
  void push_back(Finding f) { items_.push_back(std::make_shared<const Finding>(std::move(f))); }
  void push_back(Ptr f) { items_.push_back(std::move(f)); }

  // The shared findings themselves, for building a list that shares them.
  const std::vector<Ptr>& shared() const { return items_; }
  // Copies of the findings, to amend.
  std::vector<Finding> Copy() const {
    std::vector<Finding> out;
    out.reserve(items_.size());
    for (const Ptr& f : items_) out.push_back(*f);
    return out;
  }

 private:
  std::vector<Ptr> items_;
};

}  // namespace pgvigil::model
