//! The templates in `templates/` are embedded in the binary (include_dir):
//! rebuild when any of them changes.
fn main() {
    println!("cargo:rerun-if-changed=templates");
}
