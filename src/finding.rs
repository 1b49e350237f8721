pub struct Finding; pub struct Compiled; pub fn compile() {}
