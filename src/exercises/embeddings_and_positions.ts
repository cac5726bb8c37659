// lesson 02's exercises: in progress
export {};
