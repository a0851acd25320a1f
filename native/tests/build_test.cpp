// The build links what it promises: OpenBLAS sgemm computes, Gloo moves bytes over TCP.
#include <cblas.h>

#include <gloo/allreduce_ring.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/hash_store.h>
#include <gloo/transport/tcp/device.h>

#include <thread>
#include <vector>

#include "core/build_info.h"
#include "core/errors.h"
#include "test_harness.h"

NEOX_TEST(build_sgemm_matches_naive_product) {
  const int m = 5, n = 7, k = 3;
  std::vector<float> a(m * k), b(k * n), c(m * n, 0.f);
  for (int i = 0; i < m * k; ++i) a[i] = 0.1f * static_cast<float>(i % 7) - 0.3f;
  for (int i = 0; i < k * n; ++i) b[i] = 0.05f * static_cast<float>(i % 5) + 0.2f;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.f, a.data(), k, b.data(), n, 0.f, c.data(), n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double expected = 0;
      for (int p = 0; p < k; ++p) expected += static_cast<double>(a[i * k + p]) * b[p * n + j];
      NEOX_EXPECT_NEAR(c[i * n + j], expected, 1e-5);
    }
}

NEOX_TEST(build_gloo_allreduce_between_two_ranks) {
  auto store = std::make_shared<gloo::rendezvous::HashStore>();
  gloo::transport::tcp::attr attr;
  attr.hostname = "127.0.0.1";
  std::vector<std::vector<float>> data = {{1.f, 2.f, 3.f}, {10.f, 20.f, 30.f}};
  std::vector<std::thread> ranks;
  for (int rank = 0; rank < 2; ++rank) {
    ranks.emplace_back([&, rank] {
      auto device = gloo::transport::tcp::CreateDevice(attr);
      auto context = std::make_shared<gloo::rendezvous::Context>(rank, 2);
      context->connectFullMesh(*store, device);
      std::vector<float*> ptrs = {data[rank].data()};
      gloo::AllreduceRing<float> allreduce(context, ptrs, 3);
      allreduce.run();
    });
  }
  for (auto& t : ranks) t.join();
  for (int rank = 0; rank < 2; ++rank) {
    NEOX_EXPECT_NEAR(data[rank][0], 11.f, 0);
    NEOX_EXPECT_NEAR(data[rank][2], 33.f, 0);
  }
}

NEOX_TEST(build_info_reports_blas_and_gloo) {
  const neox::BuildInfo info = neox::build_info();
  NEOX_EXPECT(info.blas.find("OpenBLAS") != std::string::npos) << info.blas;
  NEOX_EXPECT(info.gloo);
}

NEOX_TEST(errors_carry_code_and_message) {
  try {
    NEOX_CHECK_ARG(1 + 1 == 3, "tokens has " << 3 << " rows; expected " << 4);
    NEOX_EXPECT(false) << "no throw";
  } catch (const neox::Error& e) {
    NEOX_EXPECT(e.code() == neox::ErrorCode::InvalidArgument);
    NEOX_EXPECT(std::string(e.what()) == "tokens has 3 rows; expected 4") << e.what();
  }
}
