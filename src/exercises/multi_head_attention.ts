// lesson 04's exercises: in progress
export {};
