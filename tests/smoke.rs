use cnn::prelude::*;

network! {
    /// The seed network.
    pub struct SeedNet {
        input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid
    }
    pub struct Seed3 {
        input(22x22) -> conv(3, 3x3) -> sigmoid -> dense(1200->1) -> sigmoid
    }
    pub struct Odd {
        input(2, 9x7) -> c1: conv(4, 3x2, stride = 2, pad = 1) -> relu -> conv(2, 2x3) -> tanh -> dense(5) -> leaky_relu(0.1) -> dense(3) -> softmax
    }
}

#[test]
fn smoke() {
    let net = SeedNet::new(1);
    let y = net.forward(&[0.5; SeedNet::INPUT_LEN]);
    println!("{y:?} {net:?}");
    let n3 = <Seed3>::new(2);
    println!("{:?}", n3.forward(&[0.1; 484]));
    let o = Odd::<f64>::new(3);
    println!("{:?}", o.forward(&[0.1; 126]));
}
