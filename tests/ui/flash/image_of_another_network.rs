use cnn::prelude::*;

network! {
    pub struct SeedNet { input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid }
    pub struct Wider { input(22x22) -> conv(2, 3x3) -> sigmoid -> dense(800->1) -> sigmoid }
}

// The image of `SeedNet`, decoded as `Wider`'s: refused by the compiler.
static NET: cnn::quant::Int8<Wider> =
    Wider::int8_from_flash(include_bytes!("../../../nostd-check/flash/seed_net.int8"));

fn main() {
    let _ = &NET;
    let _ = SeedNet::zeroed();
}
