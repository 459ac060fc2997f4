// Fills a KernelTable from the templates instantiated in the including ISA file.
#pragma once
#include <utility>

namespace VI_ISA_NS {

template <int MR, int WideRows, int WideVecs, int IgemmMR, int DirectRows, int DirectVecs>
void fill_table(verinfer::KernelTable* t, const char* name) {
  constexpr int main_vecs = verinfer::kPanelWidth / VecF::width;
  static_assert(main_vecs % 2 == 0, "the half tile spans whole vectors");
  static_assert(WideVecs * VecF::width % verinfer::kPanelWidth == 0, "a wide tile spans whole B panels");
  static_assert(WideRows <= MR, "a ragged wide tile runs its rows on the main tile");
  static_assert(MR <= verinfer::kPanelWidth, "im2col writes A micro-panels of MR pixels with the B panel's run arrays");
  t->isa = name;
  t->sgemm_mr = MR;
  t->sgemm_nr = verinfer::kPanelWidth;
  t->sgemm_wide_rows = WideRows;
  t->sgemm_nr_wide = WideVecs * VecF::width;
  t->sgemm_tile = [](const verinfer::SgemmTile& s) {
    sgemm_tile_rows<main_vecs>(s, std::make_integer_sequence<int, MR>());
  };
  t->sgemm_tile_half = [](const verinfer::SgemmTile& s) {
    sgemm_tile_rows<main_vecs / 2>(s, std::make_integer_sequence<int, MR>());
  };
  t->sgemm_tile_wide = [](const verinfer::SgemmTile& s) {
    sgemm_tile_rows<WideVecs>(s, std::make_integer_sequence<int, WideRows>());
  };
  // The tail tile pays where its lanes along M (MR of them) beat a vector along N by a third: up to 9
  // columns with AVX-512's 12 of 16, 2 with AVX2's 3 of 8. A scalar vector has no tail.
  if constexpr (VecF::width > 1) {
    t->sgemm_tail_lanes = VecF::width;
    t->sgemm_tail_max = 3 * MR / 4;
    t->sgemm_tail = &sgemm_tail<MR>;
  } else {
    t->sgemm_tail_lanes = 1, t->sgemm_tail_max = 0, t->sgemm_tail = nullptr;
  }
  t->igemm_mr = IgemmMR;
  t->igemm_tile = [](const verinfer::IgemmTile& s) { igemm_tile_portable<IgemmMR>(s); };
  t->conv_direct_rows = DirectRows;
  t->conv_direct_cols = DirectVecs * VecF::width;
  t->conv_direct_tile = [](const verinfer::ConvDirectTile& s) {
    conv_direct_tile_vectors<DirectRows>(s, std::make_integer_sequence<int, DirectVecs>());
  };
  t->unary = &unary;
  t->binary = &binary;
  t->compare = &compare;
  t->reduce_rows = &reduce_rows;
  t->softmax_rows = &softmax_rows;
  t->layernorm_rows = &layernorm_rows;
  t->affine = &affine;
  t->im2col_panel = &im2col_panel;
  t->max_pool_planes = &max_pool_planes;
  t->winograd_f2 = {&winograd_weight_transform<verinfer::WinogradF2>, &winograd_input_panel<verinfer::WinogradF2>,
                    &winograd_output_tiles<verinfer::WinogradF2>};
  t->winograd_f4 = {&winograd_weight_transform<verinfer::WinogradF4>, &winograd_input_panel<verinfer::WinogradF4>,
                    &winograd_output_tiles<verinfer::WinogradF4>};
}

}  // namespace VI_ISA_NS
