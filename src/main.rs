fn main() {
    println!("duban");
}
