// a definition with an error is the only error: later uses of the network add none
mod nets {
    cnn::network! {
        pub struct Bad {
            input(22x22) -> conv(3x3) -> dense(401->1)
        }
    }
}

use nets::Bad;

impl std::fmt::Display for Bad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.params())
    }
}

fn main() {
    let n = Bad::new(0);
    let y: [f32; Bad::OUTPUT_LEN] = n.forward(&[0.0; Bad::INPUT_LEN]);
    let _ = y[0];
    println!("{n:?} {n} {}", Bad::PARAM_LEN);
    let f64_twin = Bad::<f64>::new(1);
    let _ = f64_twin.params();
}
