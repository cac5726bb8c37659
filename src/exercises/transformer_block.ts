// lesson 05's exercises: in progress
export {};
