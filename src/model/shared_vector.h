// SPDX-License-Identifier: Apache-2.0
// SharedVector<T> is a std::vector<T> with value semantics whose copies share one buffer until
// one of them is changed (copy on write). The daemon composes a snapshot from its tiers' latest
// samples every second; with plain vectors that copied thousands of statements, tables and
// indexes per tick although only the fast tier's parts had changed (most of the daemon's CPU
// and memory on a large database: docs/benchmarks.md). Sharing makes that copy a pointer copy.
//
// Reading (const access, range-for over a const snapshot, conversion to const std::vector&)
// never copies. Any non-const access — push_back, non-const begin(), operator[] on a non-const
// object — first makes the buffer this object's own when another copy shares it, so a change
// is never seen through another copy. A shared buffer is never written, which makes sharing
// between threads as safe as sharing a const std::vector.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

namespace pgvigil::model {

template <typename T>
class SharedVector {
 public:
  using vector_type = std::vector<T>;
  using value_type = T;
  using size_type = typename vector_type::size_type;
  using difference_type = typename vector_type::difference_type;
  using reference = T&;
  using const_reference = const T&;
  using iterator = typename vector_type::iterator;
  using const_iterator = typename vector_type::const_iterator;

  SharedVector() = default;
  SharedVector(vector_type v)  // NOLINT(google-explicit-constructor): a drop-in for the vector
      : data_(std::make_shared<vector_type>(std::move(v))) {}
  SharedVector(std::initializer_list<T> init) : data_(std::make_shared<vector_type>(init)) {}
  SharedVector& operator=(vector_type v) {
    data_ = std::make_shared<vector_type>(std::move(v));
    return *this;
  }
  SharedVector& operator=(std::initializer_list<T> init) {
    data_ = std::make_shared<vector_type>(init);
    return *this;
  }

  // --- reading: never copies
  const vector_type& get() const { return data_ != nullptr ? *data_ : Empty(); }
  operator const vector_type&() const { return get(); }  // NOLINT(google-explicit-constructor)
  const_iterator begin() const { return get().begin(); }
  const_iterator end() const { return get().end(); }
  const_iterator cbegin() const { return get().cbegin(); }
  const_iterator cend() const { return get().cend(); }
  size_type size() const { return get().size(); }
  bool empty() const { return get().empty(); }
  const T& operator[](size_type i) const { return get()[i]; }
  const T& at(size_type i) const { return get().at(i); }
  const T& front() const { return get().front(); }
  const T& back() const { return get().back(); }
  const T* data() const { return get().data(); }

  // Whether `other` shares this buffer (for tests of the sharing itself).
  bool SharesWith(const SharedVector& other) const {
    return data_ != nullptr && data_ == other.data_;
  }

  // --- changing: makes the buffer this object's own first
  vector_type& mutable_vector() {
    if (data_ == nullptr) {
      data_ = std::make_shared<vector_type>();
    } else if (data_.use_count() > 1) {
      data_ = std::make_shared<vector_type>(*data_);
    }
    return *data_;
  }
  iterator begin() { return mutable_vector().begin(); }
  iterator end() { return mutable_vector().end(); }
  T& operator[](size_type i) { return mutable_vector()[i]; }
  T& at(size_type i) { return mutable_vector().at(i); }
  T& front() { return mutable_vector().front(); }
  T& back() { return mutable_vector().back(); }
  T* data() { return mutable_vector().data(); }
  void push_back(const T& v) { mutable_vector().push_back(v); }
  void push_back(T&& v) { mutable_vector().push_back(std::move(v)); }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    return mutable_vector().emplace_back(std::forward<Args>(args)...);
  }
  void reserve(size_type n) { mutable_vector().reserve(n); }
  void resize(size_type n) { mutable_vector().resize(n); }
  void clear() { data_.reset(); }
  template <typename... Args>
  iterator insert(const_iterator pos, Args&&... args) {
    // `pos` may point into a shared buffer: re-aim it at this object's own copy.
    const difference_type at = pos - get().begin();
    vector_type& v = mutable_vector();
    return v.insert(v.begin() + at, std::forward<Args>(args)...);
  }
  iterator erase(const_iterator first, const_iterator last) {
    const difference_type a = first - get().begin();
    const difference_type b = last - get().begin();
    vector_type& v = mutable_vector();
    return v.erase(v.begin() + a, v.begin() + b);
  }
  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }

  friend bool operator==(const SharedVector& a, const SharedVector& b) {
    return a.data_ == b.data_ || a.get() == b.get();
  }
  friend bool operator==(const SharedVector& a, const vector_type& b) { return a.get() == b; }

 private:
  static const vector_type& Empty() {
    static const vector_type empty;
    return empty;
  }

  std::shared_ptr<vector_type> data_;
};

}  // namespace pgvigil::model
